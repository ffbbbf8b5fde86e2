"""Oriented stripes: the Gabor lesson's dataset, made here in a fraction of a second."""

import cv2
import numpy as np
import pytest

from cnnviz import datasets, training
from cnnviz.datasets import stripes
from cnnviz.errors import InputError
from cnnviz.filters import gabor_kernel


def test_registered_offline_with_its_training_settings():
    info = next(i for i in datasets.available() if i.name == "stripes")
    assert info.offline and info.cached and info.title
    assert training.recommended_config("stripes").architecture == "mnist_cnn"


def test_default_load_shapes_classes_and_balance():
    ds = datasets.load("stripes")
    assert ds.x_train.shape == (1200, 32, 32, 1) and ds.x_train.dtype == np.uint8
    assert ds.x_test.shape == (400, 32, 32, 1)
    assert ds.class_names == ["0°", "45°", "90°", "135°"]
    assert ds.class_counts("train") == {name: 300 for name in ds.class_names}
    assert ds.options == dict(datasets.get("stripes").defaults)
    assert 0 < ds.x_train.mean() < 255 and ds.x_train.std() > 30


def test_deterministic_by_seed_and_test_images_apart_from_training():
    a = datasets.load("stripes", n_train=40, n_test=20, seed=3)
    b = datasets.load("stripes", n_train=40, n_test=20, seed=3)
    c = datasets.load("stripes", n_train=40, n_test=20, seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    more = datasets.load("stripes", n_train=80, n_test=20, seed=3)
    np.testing.assert_array_equal(more.x_test, a.x_test)  # n_train leaves the test set alone


def test_the_gabor_kernel_of_the_class_angle_answers_most():
    ds = datasets.load("stripes", n_train=4, n_test=200, noise=0.0, jitter=0.0)
    thetas = np.deg2rad(stripes.ANGLES)
    kernels = [gabor_kernel(15, 3.0, t, 7.0, 0.5, 0.0) for t in thetas]
    hits = 0
    for image, label in zip(ds.x_test[..., 0], ds.y_test, strict=True):
        x = image.astype(np.float32) / 255 - 0.5
        energy = [float(np.mean(cv2.filter2D(x, -1, k) ** 2)) for k in kernels]
        hits += int(np.argmax(energy) == label)
    assert hits / len(ds.y_test) > 0.95


@pytest.mark.parametrize(
    "options, match",
    [
        ({"image_size": 8}, "between 16 and 128"),
        ({"noise": 0.9}, "Noise"),
        ({"jitter": 45}, "Jitter"),
        ({"n_train": 0}, "at least 1"),
        ({"angle": 3}, "no option angle"),
    ],
)
def test_bad_options_are_refused(options, match):
    with pytest.raises(InputError, match=match):
        datasets.load("stripes", **options)


def test_a_gabor_kernel_at_each_class_angle_answers_that_class_most():
    """What the page says: the Filters page's Gabor kernel at θ picks out the class θ."""
    ds = datasets.load("stripes", n_train=40, n_test=200)
    images = ds.x_test[..., 0].astype(np.float32) / 255
    responses = np.zeros((4, 4))
    for j, theta in enumerate((0, 45, 90, 135)):
        kernel = gabor_kernel(15, 3.0, np.deg2rad(theta), 6.0, 0.5, 0)
        for c in range(4):
            members = images[ds.y_test == c]
            responses[c, j] = np.mean(
                [np.abs(cv2.filter2D(im, -1, kernel)).mean() for im in members]
            )
    assert ds.class_names == ["0°", "45°", "90°", "135°"]
    assert (responses.argmax(axis=1) == np.arange(4)).all()
    # Clearly, not by a hair: the best angle answers over twice the next one.
    ordered = np.sort(responses, axis=1)
    assert (ordered[:, -1] > 2 * ordered[:, -2]).all()
