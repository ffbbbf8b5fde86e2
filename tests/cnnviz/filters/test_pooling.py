"""Max pooling and its step-through, against numpy and Keras."""

import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError


@pytest.mark.parametrize(("size", "stride"), [(2, None), (2, 1), (3, 2), (3, 3), (1, 1)])
def test_max_pool_matches_a_numpy_reference(gray, size, stride):
    step = stride or size
    out = filters.max_pool(gray, size, stride)
    h, w = gray.shape
    ref = np.array(
        [
            [gray[r : r + size, c : c + size].max() for c in range(0, w - size + 1, step)]
            for r in range(0, h - size + 1, step)
        ]
    )
    np.testing.assert_array_equal(out, ref)
    assert out.shape == (
        filters.framework_output_size(h, size, 0, step),
        filters.framework_output_size(w, size, 0, step),
    )


def test_max_pool_matches_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (11, 9)).astype(np.float32)
    layer = keras.layers.MaxPooling2D(3, strides=2)
    expected = np.asarray(layer(img[None, :, :, None]))[0, :, :, 0]
    np.testing.assert_array_equal(filters.max_pool(img, 3, 2), expected)


@pytest.mark.parametrize(("row", "col"), [(0, 0), (3, 5), (11, 15)])
def test_pooling_step_equals_max_pool(gray, row, col):
    out = filters.max_pool(gray, 4, 4)
    step = filters.pooling_step(gray, row, col, 4, 4)
    assert step.value == out[row, col]
    assert step.patch.shape == (4, 4)
    assert step.patch[step.argmax] == step.value
    assert (step.top, step.left) == (4 * row, 4 * col)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"row": 12, "col": 0, "size": 4}, "between 0 and 11"),
        ({"row": 0, "col": -1, "size": 4}, "between 0 and 15"),
        ({"row": 0.5, "col": 0, "size": 4}, "whole number"),
        ({"row": 0, "col": 0, "size": 0}, "at least 1"),
    ],
)
def test_pooling_step_refuses_bad_positions(gray, kwargs, match):
    with pytest.raises(InputError, match=match):
        filters.pooling_step(gray, **kwargs)


def test_max_pool_refuses_a_window_larger_than_the_image():
    with pytest.raises(InputError, match="larger than the image"):
        filters.max_pool(np.zeros((4, 6)), 5)
