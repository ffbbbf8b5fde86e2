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


# ---- the two trust checks read as one verdict -----------------------------------------


def _fake_checks(monkeypatch, *, pointing: float, centre: float, rhos: list[float]) -> None:
    """The page's pointing game scores ``pointing`` against a ``centre`` guess, and its
    randomisation check gives the rank correlations ``rhos`` layer by layer (the real
    computations are tested in tests/cnnviz/attribution)."""
    from cnnviz.ui import gradcam as ui

    def localisation(model, images, boxes, methods=None, **kwargs):
        scores = dict.fromkeys(attribution.SCORES, 0.1)
        scores.update(pointing=pointing, centre_pointing=centre, shuffled_pointing=centre)
        return {m: dict(scores) for m in methods}

    def cascade(model, images, method, class_index, layer_name, *, max_steps, seed):
        maps = np.random.default_rng(0).random((1, 32, 32)).astype(np.float32)
        steps = [attribution.CascadeStep("original", (), maps, np.ones(1))]
        for k, rho in enumerate(rhos):
            name = f"layer{k}"
            steps.append(attribution.CascadeStep(name, (name,), maps, np.array([rho])))
        return steps

    monkeypatch.setattr(attribution, "localisation", localisation)
    monkeypatch.setattr(attribution, "cascade", cascade)
    ui.localisation_scores.clear()
    ui.sanity_steps.clear()


def _page_text(at) -> str:
    """Every sentence the page shows in Markdown, captions and coloured boxes."""
    parts = [at.markdown, at.caption, at.success, at.warning, at.error, at.info]
    return "\n".join(t for elements in parts for t in texts(elements))


def _verdicts(at) -> list[str]:
    """The combined verdicts on the page: the Markdown that reads both checks."""
    return [t for t in texts(at.markdown) if "**Pointing game**" in t]


def _run_sanity_check(at):
    by_label(at.button, "Run the sanity check for Grad-CAM").click()
    at.run()
    assert not at.exception and not at.error
    return at


def test_a_low_rank_correlation_reads_as_depending_on_the_weights(stored_model, monkeypatch):
    # The page said "still ranks pixels almost as before (ρ = 0.11) … do not trust it": it
    # judged by the mean ρ over the cascade and printed the last one. ρ = 0.11 means the
    # randomised map is unrelated to the trained one: the map depends on the weights.
    _fake_checks(monkeypatch, pointing=0.79, centre=0.19, rhos=[0.95, 0.9, 0.11])
    at = _run_sanity_check(run_page(PAGE))
    reading = _page_text(at)
    assert "ρ = 0.11" in reading
    assert "depends on what the model learned" in reading
    assert "passes" in reading
    assert "do not trust" not in reading.lower()
    assert "almost as before" not in reading
    # The thresholds the wording follows are on the page.
    assert "below 0.3" in reading and "above 0.7" in reading


@pytest.mark.parametrize(
    ("rhos", "expected"),
    [
        ([0.9, 0.1], "passes"),
        ([0.9, 0.5], "partly"),
        ([0.9, 0.85], "fails"),
    ],
)
def test_the_randomisation_wording_follows_the_last_rho(stored_model, monkeypatch, rhos, expected):
    _fake_checks(monkeypatch, pointing=0.79, centre=0.19, rhos=rhos)
    at = _run_sanity_check(run_page(PAGE))
    (sentence,) = [t for t in texts(at.markdown) if t.startswith("After randomising")]
    assert f"ρ = {rhos[-1]:.2f}" in sentence and f"({expected})" in sentence, sentence
    (verdict,) = _verdicts(at)  # the verdict reads the same
    assert f"maps have ρ = {rhos[-1]:.2f}: {expected}." in verdict, verdict


def test_pointing_right_but_ignoring_the_weights_gets_one_verdict(stored_model, monkeypatch):
    # On the shapes model the pointing game said "its heatmaps do show where the shape is"
    # and the sanity check right below said "do not trust it", with nothing reconciling them.
    _fake_checks(monkeypatch, pointing=0.79, centre=0.19, rhos=[0.95, 0.9, 0.85])
    at = _run_sanity_check(run_page(PAGE))
    assert "Can you trust this heatmap? Both checks together" in texts(at.subheader)
    (verdict,) = _verdicts(at)
    assert verdict.startswith(":red-badge[")  # in red
    assert "looks right for the wrong reason" in verdict.lower()
    # It says what each check measures, and each check's result.
    assert "Pointing game" in verdict and "centre guess" in verdict
    assert "Randomisation" in verdict and "depend on what the model learned" in verdict
    assert "79%" in verdict and "ρ = 0.85" in verdict


@pytest.mark.parametrize(
    ("pointing", "rhos"),
    [(0.79, [0.9, 0.1]), (0.79, [0.9, 0.5]), (0.79, [0.9, 0.85]), (0.25, [0.9, 0.1]),
     (0.25, [0.9, 0.85]), (0.35, [0.9, 0.5])],
)  # fmt: skip
def test_the_page_never_contradicts_itself_without_the_verdict(
    stored_model, monkeypatch, pointing, rhos
):
    _fake_checks(monkeypatch, pointing=pointing, centre=0.19, rhos=rhos)
    at = _run_sanity_check(run_page(PAGE))
    verdicts = _verdicts(at)
    assert len(verdicts) == 1, verdicts  # the one combined verdict, always there
    sections = [t for t in texts(at.markdown) + texts(at.caption) if t not in verdicts]
    positive = any("land on the shape" in t or "show where the shape is" in t for t in sections)
    negative = any("do not trust" in t.lower() for t in sections)
    if positive and negative:
        assert "Pointing game" in verdicts[0] and "Randomisation" in verdicts[0]
    # The sections report their measurements; only the verdict says whether to trust.
    assert not negative, sections
