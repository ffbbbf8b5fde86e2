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


def save_misreading_model() -> str:
    """A digits model that reads ``a_stroke()`` as 3 (about 98%) and, after FGSM at ε = 0.1,
    as 7: the logit gap z3 − z7 grows with the ink, and FGSM (which lowers the ink of every
    pixel here) crosses the middle between the clean and the attacked ink."""
    from cnnviz.images import drawing

    framed = drawing.frame_drawing(a_stroke(), "digits", 28)[..., 0].astype(np.float32)
    ink = framed.sum() / 255
    attacked = np.clip(framed - np.floor(0.1 * 255 + 1e-6), 0, 255).sum() / 255
    a = 8.0 / (ink - attacked)  # z3 − z7 = ±4 at the clean and the attacked image
    kernel = np.zeros((28 * 28, 10), np.float32)
    kernel[:, 3], kernel[:, 7] = a / 2, -a / 2
    bias = np.full(10, -30.0, np.float32)
    bias[3] = bias[7] = 0.0
    bias[3] -= a * (ink + attacked) / 2
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(10, activation="softmax")
    model = keras.Model(inputs, dense(x))
    dense.set_weights([kernel, bias])
    meta = {
        "name": "misreading digits model",
        "owner": OWNER,
        "class_names": [str(i) for i in range(10)],
        "dataset": {"name": "digits", "options": {"upscale": 28}},
    }
    return ModelStore().save(model, meta)


def _verdict(at) -> tuple[str, str]:
    """The "Prediction after" metric's delta and the sentence that explains it."""
    after = next(m for m in at.metric if m.label == "Prediction after")
    sentences = [m.value for m in at.markdown if "attack" in m.value]
    return str(after.proto.delta), " ".join(sentences)


def test_a_model_that_misreads_the_drawing_is_not_called_fooled(monkeypatch):
    save_misreading_model()
    fake_canvas(monkeypatch, a_stroke())
    at = run_page(PAGE)
    assert not at.exception
    before, after = (m.value for m in at.metric)
    assert before.startswith("3 (") and after.startswith("7 (")  # ε = 0.1 by default
    # Nothing said yet: compared with the first answer, and the page says so.
    delta, sentence = _verdict(at)
    assert delta == "answer changed"
    assert "the model's own first answer" in sentence

    # The student drew a 7: the model was wrong to begin with; the attack undoes it.
    at.selectbox(key="play_draw_truth").set_value(7).run()
    assert not at.exception
    delta, sentence = _verdict(at)
    assert delta == "now right"
    assert "already misreads your 7 as 3" in sentence
    assert "happens to turn it into 7" in sentence
    at.slider(key="play_fgsm_epsilon").set_value(0.0).run()
    delta, sentence = _verdict(at)
    assert delta == "still wrong"  # not "still right": the 7 was read as 3
    assert "already misreads your 7 as 3" in sentence

    # The student drew a 3: right before, fooled after.
    at.selectbox(key="play_draw_truth").set_value(3).run()
    at.slider(key="play_fgsm_epsilon").set_value(0.1).run()
    delta, sentence = _verdict(at)
    assert delta == "fooled"
    assert "read your 3 right, and after the attack it reads 7" in sentence
