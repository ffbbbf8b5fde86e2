"""Grad-CAM page: class, method, layer, opacity and colour map; the true box; errors on screen;
and the overlay helper other pages reuse."""

import json

import numpy as np
import pytest

from cnnviz import attribution
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.ui.common.gradcam_overlay import gradcam_heatmap_for, gradcam_overlay_for
from tests.pages import inspect_helpers
from tests.pages.inspect_helpers import (
    OWNER,
    by_label,
    image_captions,
    run_page,
    save_tiny_model,
    shapes_dataset,
    texts,
)

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below

PAGE = "pages/gradcam.py"


def test_default_explains_the_top1_class_at_the_default_layer(stored_model):
    at = run_page(PAGE)
    assert not at.exception
    assert not at.error
    model = ModelStore().load(stored_model, OWNER)
    image = shapes_dataset().x_test[0]
    top1 = int(np.argmax(model.predict_proba(image)[0]))
    cls = by_label(at.selectbox, "Class to explain")
    assert cls.value == top1
    assert by_label(at.selectbox, "Layer").value == "conv2"  # last map larger than 1x1
    captions = image_captions(at)
    assert f"heatmap for “{model.class_names[top1]}” at conv2" in captions
    assert any(c.startswith("overlay (45% heatmap)") for c in captions)
    # shapes models know where the object is: the box and the pointing-game verdict
    assert any("Green box: where the shape really is" in t for t in texts(at.caption))
    assert len(at.get("plotly_chart")) == 1  # top-5 probabilities


@pytest.mark.parametrize("method", attribution.REGISTRY.keys())
def test_every_method_draws_three_panels(stored_model, method):
    at = run_page(PAGE)
    by_label(at.selectbox, "Method").set_value(method).run()
    assert not at.exception
    assert not at.error
    assert len(at.get("image")) == 4  # the picker's preview + original, heatmap, overlay
    entry = attribution.REGISTRY.get(method)
    assert any(w.label == "Layer" for w in at.selectbox) == entry.uses_layer
    # The method's own help text, from its registry entry, is shown under the controls.
    assert f"**{entry.title}** {entry.help}" in texts(at.caption)


def test_class_layer_opacity_and_colour_map(stored_model):
    at = run_page(PAGE)
    model = ModelStore().load(stored_model, OWNER)
    cls = by_label(at.selectbox, "Class to explain")
    other = next(i for i in range(len(model.class_names)) if i != cls.value)
    cls.set_value(other).run()
    by_label(at.selectbox, "Layer").set_value("conv1").run()
    by_label(at.slider, "Heatmap opacity").set_value(0.8).run()
    by_label(at.selectbox, "Colour map").set_value("viridis").run()
    assert not at.exception
    captions = image_captions(at)
    assert f"heatmap for “{model.class_names[other]}” at conv1" in captions
    assert "overlay (80% heatmap)" in captions


def test_grad_cam_on_a_dense_only_model_is_an_error_saliency_works():
    save_tiny_model(name="mlp", dense_only=True)
    at = run_page(PAGE)
    assert not at.exception
    assert any("no convolutional layer" in t for t in texts(at.error))
    by_label(at.selectbox, "Method").set_value("saliency").run()
    assert not at.exception
    assert not at.error
    assert any(c.startswith("heatmap for") for c in image_captions(at))


def test_model_without_a_reloadable_dataset_uses_the_image_picker():
    save_tiny_model(name="uploaded", with_dataset=False)
    at = run_page(PAGE)
    assert not at.exception
    assert by_label(at.selectbox, "Sample image").value == "cat"
    assert not any("Green box" in t for t in texts(at.caption))


@pytest.mark.slow
def test_default_bundled_model_explains_the_cat():
    at = run_page(PAGE, owner="fresh-session")
    assert not at.exception
    assert not at.error
    assert at.selectbox(key="gradcam_choice").value == "pretrained:efficientnet_lite0"
    assert by_label(at.selectbox, "Layer").value == "head_activation"
    assert any(c.startswith("heatmap for") for c in image_captions(at))


def test_overlay_helper_for_other_pages(stored_model):
    model = ModelStore().load(stored_model, OWNER)
    image = np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    before = image.copy()
    overlay = gradcam_overlay_for(model, image)
    assert overlay.shape == image.shape
    assert overlay.dtype == np.uint8
    assert not np.array_equal(overlay, image)
    np.testing.assert_array_equal(image, before)  # input untouched
    # Same heatmap as the core's grad_cam for the top-1 class, and a chosen class is kept.
    expected = attribution.grad_cam(model, image)[0]
    np.testing.assert_allclose(gradcam_heatmap_for(model, image).heatmaps[0], expected, atol=1e-5)
    assert int(gradcam_heatmap_for(model, image, class_index=3).class_indices[0]) == 3
    with pytest.raises(InputError):
        gradcam_overlay_for(model, image, class_index=99)


# ---- can this heatmap be trusted? -------------------------------------------------------


def test_localisation_table_and_reading(stored_model):
    at = run_page(PAGE)
    assert not at.exception and not at.error
    assert "Does the heatmap point at the shape?" in texts(at.subheader)
    reading = " ".join(texts(at.markdown))
    assert "Grad-CAM points inside the shape" in reading and "guessing the centre" in reading
    (table,) = at.dataframe
    assert list(table.value.index) == ["Grad-CAM"]
    assert "centre guess" in table.value.columns
    by_label(at.button, "Score every method (SmoothGrad and occlusion take a while)").click()
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(attribution.METHODS)


def test_no_boxes_says_so():
    save_tiny_model(name="uploaded", with_dataset=False)
    at = run_page(PAGE)
    assert not at.exception
    assert any("has no object boxes" in t for t in texts(at.caption))
    assert not at.dataframe


def test_coarse_map_offers_the_finer_layer_in_one_click():
    save_tiny_model(name="deep", filters=(8, 12, 16, 16))  # conv4: 4 x 4
    at = run_page(PAGE)
    assert not at.exception
    assert by_label(at.selectbox, "Layer").value == "conv4"
    assert any("This heatmap is coarse" in t and "4×4" in t for t in texts(at.info))
    by_label(at.button, "Use conv3").click()
    at.run()
    assert not at.exception
    assert by_label(at.selectbox, "Layer").value == "conv3"
    assert not any("This heatmap is coarse" in t for t in texts(at.info))


def test_sanity_check_on_a_clone(stored_model):
    model = ModelStore().load(stored_model, OWNER)
    before = [w.copy() for w in model.model.get_weights()]
    at = run_page(PAGE)
    assert "Would the map change if the network knew nothing?" in texts(at.subheader)
    by_label(at.button, "Run the sanity check for Grad-CAM").click()
    at.run()
    assert not at.exception and not at.error
    captions = image_captions(at)
    assert "trained model" in captions
    assert any(c.startswith("random down to predictions · ρ =") for c in captions)
    assert any("random down to conv1" in c for c in captions)
    reading = " ".join(texts(at.markdown))
    assert "rank correlation" in reading
    after = ModelStore().load(stored_model, OWNER).model.get_weights()
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_localisation_table_method_column_fits_every_method_name(stored_model):
    at = run_page(PAGE)
    assert not at.exception
    (table,) = at.dataframe
    config = json.loads(table.proto.columns or "{}").get("_index", {})
    longest = max(len(m.label) for m in attribution.METHODS.values())  # "Occlusion sensitivity"
    # At the table's ~14 px font a character is at most ~8 px wide: no name is clipped.
    assert config.get("width", 0) >= 8 * longest, config


def test_test_image_one_is_captioned_one(stored_model):
    # "Test image 1" was captioned "test image #0".
    at = run_page(PAGE)
    assert not at.exception
    assert at.number_input(key="cam_image_index").value == 1
    # As the browser shows them (a Markdown escape such as \\# shows as #).
    captions = [c.replace("\\", "") for c in image_captions(at)]
    assert any(c.startswith("test image #1") for c in captions), captions
    assert not any("#0" in c for c in captions), captions
