"""AppTest of the Draw & attack page (the canvas component is replaced by a fake drawing)."""

import sys
from types import SimpleNamespace

import cv2
import keras
import numpy as np

from cnnviz.store import ModelStore
from tests.pages.inspect_helpers import OWNER, run_page, save_tiny_model, texts

PAGE = "pages/playground.py"


def save_digits_model() -> str:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu", name="conv2")(x)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    meta = {
        "name": "digits cnn",
        "owner": OWNER,
        "class_names": [str(i) for i in range(10)],
        "dataset": {"name": "digits", "options": {"upscale": 28}},
    }
    return ModelStore().save(model, meta)


def fake_canvas(monkeypatch, rgba):
    def st_canvas(**kwargs):
        return SimpleNamespace(image_data=rgba)

    # The real component registers only inside a running server: replace the module.
    monkeypatch.setitem(
        sys.modules, "streamlit_drawable_canvas", SimpleNamespace(st_canvas=st_canvas)
    )


def a_stroke():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    cv2.line(rgba, (140, 40), (140, 240), (255, 255, 255, 255), 20)
    return rgba


def test_drawing_is_read_explained_and_attacked(monkeypatch):
    save_digits_model()
    fake_canvas(monkeypatch, a_stroke())
    at = run_page(PAGE)
    assert not at.exception
    assert not at.error
    assert any(m.value.startswith("**Prediction:") for m in at.markdown)
    captions = [c for img in at.get("image") for c in img.captions]
    assert "What the model sees (framed like its data)" in captions
    assert any(c.startswith("Grad-CAM for") for c in captions)
    assert any(c.startswith("Perturbation") for c in captions)
    labels = [m.label for m in at.metric]
    assert labels == ["Prediction before", "Prediction after"]
    at.slider(key="play_fgsm_epsilon").set_value(0.0).run()
    assert not at.exception
    before, after = (m.value for m in at.metric)
    assert before == after  # ε = 0 changes nothing


def test_empty_canvas_asks_for_a_drawing_and_curve_runs(monkeypatch):
    save_digits_model()
    at = run_page(PAGE)  # the real component: nothing drawn yet
    assert not at.exception
    assert any("Draw a digit" in c for c in texts(at.caption))
    at.button(key="play_curve").click().run()
    assert not at.exception
    assert any("values of ε" in c for c in texts(at.caption))


def test_a_model_not_trained_on_digits_gets_a_hint_and_still_attacks(monkeypatch):
    save_tiny_model()
    fake_canvas(monkeypatch, a_stroke())
    at = run_page(PAGE)
    assert not at.exception
    assert any("digits, MNIST or Fashion-MNIST" in i for i in texts(at.info))
    assert [m.label for m in at.metric] == ["Prediction before", "Prediction after"]


def test_grad_cam_page_offers_draw_for_a_digits_model(monkeypatch):
    save_digits_model()
    fake_canvas(monkeypatch, a_stroke())
    at = run_page("pages/gradcam.py")
    assert not at.exception
    radio = at.radio(key="cam_image_source")
    assert "Draw" in radio.options
    radio.set_value("Draw").run()
    assert not at.exception
    assert not at.error
    assert any(c.startswith("heatmap for") for img in at.get("image") for c in img.captions)
