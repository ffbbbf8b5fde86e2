"""Point sets and input features: shapes, labels, split, noise, and bad values refused."""

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.feedforward import FEATURES, POINT_SETS, feature_matrix, make_points


@pytest.mark.parametrize("key", POINT_SETS.keys())
def test_every_point_set_has_both_classes_split_as_asked(key):
    points = make_points(key, n=200, noise=0.2, train_ratio=0.7, seed=3)
    assert points.x_train.shape == (140, 2) and points.x_test.shape == (60, 2)
    assert points.y_train.shape == (140,) and points.y_test.shape == (60,)
    labels = np.concatenate([points.y_train, points.y_test])
    assert set(labels) == {0, 1} and abs(labels.mean() - 0.5) < 0.05
    assert np.abs(np.concatenate([points.x_train, points.x_test])).max() < 9


def test_the_same_seed_gives_the_same_points_and_noise_moves_them():
    a = make_points("spiral", seed=1)
    b = make_points("spiral", seed=1)
    noisy = make_points("spiral", noise=0.5, seed=1)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.allclose(a.x_train, noisy.x_train)


def test_the_labels_are_what_each_set_says():
    xor = make_points("xor", n=400, seed=0)
    assert np.array_equal(xor.y_train, (xor.x_train[:, 0] * xor.x_train[:, 1] > 0))
    circle = make_points("circle", n=400, seed=0)
    radius = np.hypot(*circle.x_train.T)
    assert radius[circle.y_train == 1].max() < radius[circle.y_train == 0].min()
    gauss = make_points("gauss", n=400, seed=0)
    assert (
        gauss.x_train[gauss.y_train == 1].mean() > 1 > -1 > gauss.x_train[gauss.y_train == 0].mean()
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": "moons"}, "Unknown point set 'moons'; choose one of: circle, xor, gauss, spiral"),
        ({"key": "xor", "noise": 2.0}, "noise must be between 0 and 1"),
        ({"key": "xor", "train_ratio": 0.99}, "training share"),
        ({"key": "xor", "n": 3}, "number of points"),
    ],
)
def test_bad_values_are_refused_with_a_message(kwargs, message):
    key = kwargs.pop("key")
    with pytest.raises(InputError, match=message):
        make_points(key, **kwargs)


def test_features_are_the_playgrounds_seven_in_about_minus_one_to_one():
    assert [f.title for f in FEATURES] == ["x", "y", "x²", "y²", "xy", "sin x", "sin y"]
    points = np.array([[6.0, -3.0], [0.0, 0.0], [np.pi / 2, 6.0]])
    before = points.copy()
    m = feature_matrix(points, FEATURES.keys())
    assert m.shape == (3, 7)
    np.testing.assert_allclose(m[0], [1, -0.5, 1, 0.25, -0.5, np.sin(6), np.sin(-3)])
    np.testing.assert_allclose(m[2, 5], 1.0)
    assert np.array_equal(points, before)  # the input is left as it was
    assert np.abs(feature_matrix(make_points("spiral").x_train, FEATURES.keys())).max() <= 1.01


def test_feature_matrix_refuses_no_feature_and_an_unknown_one():
    with pytest.raises(InputError, match="at least one"):
        feature_matrix(np.zeros((2, 2)), [])
    with pytest.raises(InputError, match="Unknown input feature 'cos'"):
        feature_matrix(np.zeros((2, 2)), ["cos"])
