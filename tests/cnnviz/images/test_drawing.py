import itertools

import cv2
import keras
import numpy as np
import pytest

from cnnviz import datasets, images
from cnnviz.errors import InputError
from cnnviz.images import drawing
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit


def canvas(side=280):
    return np.zeros((side, side, 4), np.uint8)


def stroke(rgba, points, width=18):
    for p, q in itertools.pairwise(points):
        cv2.line(rgba, p, q, (255, 255, 255, 255), width)
    return rgba


def test_mnist_framing_box_and_centre_of_mass():
    rgba = stroke(canvas(), [(30, 30), (60, 120)])  # small and in a corner
    out = drawing.frame_drawing(rgba, "mnist")
    assert out.shape == (28, 28, 3) and out.dtype == np.uint8
    gray = out[..., 0].astype(float)
    rows = np.flatnonzero(gray.max(1) > 8)
    assert rows[-1] - rows[0] + 1 <= 21  # longest side scaled to 20
    ys, xs = np.indices(gray.shape)
    cy, cx = (ys * gray).sum() / gray.sum(), (xs * gray).sum() / gray.sum()
    assert abs(cy - 13.5) < 0.6 and abs(cx - 13.5) < 0.6


def test_empty_canvas_is_black_and_transparent_ground_is_background():
    assert not drawing.frame_drawing(canvas(), "digits").any()
    rgba = canvas()
    rgba[..., :3] = 255  # white but fully transparent: nothing drawn
    assert not drawing.frame_drawing(rgba, "mnist").any()


@pytest.mark.parametrize("bad", [np.zeros((5, 5)), np.zeros((5, 5, 2))])
def test_bad_canvas(bad):
    with pytest.raises(InputError):
        drawing.frame_drawing(bad)
    with pytest.raises(InputError):
        drawing.frame_drawing(canvas(), "paint")


def _digits_model(ds):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, strides=2, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(ds.x_train / 255.0, ds.y_train, epochs=3, verbose=0)
    return ImageModel("digits", model, (28, 28), unit(grayscale=True), ds.class_names)


def test_a_drawn_dataset_digit_is_framed_like_the_dataset_and_predicted_alike():
    ds = datasets.load("digits")
    im = _digits_model(ds)
    native = datasets.load("digits", upscale=None).x_test[:40]  # the same split, 8×8
    # "Draw" each test digit large on a canvas, off-centre, and frame it back.
    framed = []
    for img in native:
        rgba = canvas(300)
        big = cv2.resize(img[..., 0], (200, 200), interpolation=cv2.INTER_NEAREST)
        rgba[10:210, 60:260, :3] = big[..., None]
        rgba[10:210, 60:260, 3] = 255
        framed.append(drawing.frame_drawing(rgba, "digits"))
    framed = np.stack(framed)
    rgb = datasets.to_rgb(ds.x_test[:40])
    assert np.mean(np.abs(framed.astype(int) - rgb.astype(int))) < 12
    same = im.predict_proba(framed).argmax(-1) == im.predict_proba(rgb).argmax(-1)
    assert same.mean() >= 0.9


def test_a_drawn_stroke_predicts_as_the_same_pixels_given_as_an_image():
    ds = datasets.load("digits")
    im = _digits_model(ds)
    rgba = stroke(canvas(), [(140, 40), (140, 240)])  # a "1"
    framed = drawing.frame_drawing(rgba, "digits")
    _, png = cv2.imencode(".png", framed[..., ::-1])
    loaded = images.load_image(png.tobytes())
    np.testing.assert_array_equal(loaded, framed)
    np.testing.assert_allclose(im.predict_proba(framed), im.predict_proba(loaded))
