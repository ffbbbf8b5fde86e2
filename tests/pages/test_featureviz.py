"""Filter visualization page: layer and filter choice, recipes, cached galleries, errors."""

import pytest

from tests.pages import inspect_helpers
from tests.pages.inspect_helpers import (
    by_label,
    image_captions,
    run_page,
    save_tiny_model,
    texts,
)

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below

PAGE = "pages/featureviz.py"


def gallery_captions(at) -> list[str]:
    """Captions of the generated gallery (not of the real-examples pairs)."""
    return [c for c in image_captions(at) if "," not in c]


def test_asks_before_optimising_then_shows_a_gallery(stored_model):
    at = run_page(PAGE)
    assert not at.exception
    assert at.selectbox(key="featureviz_choice").value == f"stored:{stored_model}"
    assert at.button(key="fv_generate")
    assert not image_captions(at)
    assert not at.subheader  # no real examples before the gallery exists
    at.button(key="fv_generate").click().run()
    assert not at.exception
    assert not at.error
    assert gallery_captions(at) == [f"filter {i}" for i in range(8)]
    assert any("made in" in t for t in texts(at.caption))
    # Nothing left to press once the gallery exists.
    assert not any("Press **Generate**" in t for t in texts(at.info))


def test_revisit_is_served_from_the_cache(stored_model):
    at = run_page(PAGE)
    at.button(key="fv_generate").click().run()
    again = run_page(PAGE)  # a new run of the page, same settings
    assert not again.exception
    assert gallery_captions(again) == [f"filter {i}" for i in range(8)]
    assert not any("Press **Generate**" in t for t in texts(again.info))


def test_both_recipes_side_by_side_on_chosen_filters(stored_model):
    at = run_page(PAGE)
    layer = by_label(at.selectbox, "Layer")
    assert layer.value == "conv2"  # small models: the last convolution
    layer.set_value("conv1").run()
    by_label(at.slider, "Filters (this layer has 8)").set_value((2, 4)).run()
    at.radio(key="fv_method").set_value("both").run()
    at.button(key="fv_generate").click().run()
    assert not at.exception
    markdown = " ".join(texts(at.markdown))
    assert "Quality recipe" in markdown
    assert "Naive gradient ascent" in markdown
    assert gallery_captions(at) == ["filter 2", "filter 3", "filter 4"] * 2


def test_model_without_convolutions_is_an_error_not_an_exception():
    save_tiny_model(name="mlp", dense_only=True)
    at = run_page(PAGE)
    assert not at.exception
    assert any("no convolution layer" in t for t in texts(at.error))


@pytest.mark.slow
def test_default_bundled_model_page_loads():
    at = run_page(PAGE, owner="fresh-session")
    assert not at.exception
    assert not at.error
    assert at.selectbox(key="featureviz_choice").value == "pretrained:efficientnet_lite0"
    assert at.button(key="fv_generate")


def test_real_examples_from_the_models_test_set_sit_next_to_each_picture(stored_model):
    at = run_page(PAGE)
    at.button(key="fv_generate").click().run()
    assert not at.exception
    assert not at.error
    assert "Real examples" in texts(at.subheader)
    captions = image_captions(at)
    pairs = [c for c in captions if "," in c]
    expected = [[f"filter {i}, generated", f"filter {i}, top 9 real"] for i in range(8)]
    assert pairs == [c for pair in expected for c in pair]
    assert any("model's test set" in t for t in texts(at.caption))


def test_pretrained_model_searches_the_sample_photos_and_offers_own_ones():
    at = run_page(PAGE, owner="fresh-session")
    at.slider(key="fv_steps_True").set_value(8)
    at.select_slider(key="fv_size_224").set_value(64)
    at.run()
    at.button(key="fv_generate").click().run()
    assert not at.exception
    assert not at.error
    assert any("offline sample photos" in t for t in texts(at.caption))
    assert any("top 9 real" in c or "top 7 real" in c for c in image_captions(at))
