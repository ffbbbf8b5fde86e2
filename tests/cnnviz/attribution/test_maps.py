"""Upsampling puts each cell of a map where it looks in the input (receptive fields)."""

import keras
import numpy as np
import pytest

from cnnviz import attribution as at
from cnnviz import models

L = keras.layers


def _delta(kernel=3):
    """Initializer: a kernel that copies its centre pixel (the map is the image, moved)."""

    def init(shape, dtype=None):
        w = np.zeros(shape, np.float32)
        w[kernel // 2, kernel // 2, 0, 0] = 1.0
        return w

    return init


def _stack(layers, side=32):
    """1-channel model: the given spatial layers, then GAP and a 2-logit head (+1 / -1)."""
    x = keras.Input((side, side, 1))
    h = x
    for layer in layers:
        h = layer(h)
    h = L.GlobalAveragePooling2D()(h)
    out = L.Dense(2, kernel_initializer=keras.initializers.Constant([[1.0, -1.0]]))(h)
    return keras.Model(x, out)


def _conv(name, stride=1, padding="valid"):
    return L.Conv2D(
        1,
        3,
        strides=stride,
        padding=padding,
        use_bias=False,
        kernel_initializer=_delta(),
        name=name,
    )


STACKS = {
    "valid": lambda: [_conv("a"), _conv("b"), _conv("c")],
    "strided_valid": lambda: [_conv("a"), _conv("b", stride=2), _conv("c", stride=2)],
    "strided_same": lambda: [_conv("a", padding="same"), _conv("b", 2, "same"), _conv("c")],
    "pooled": lambda: [_conv("a"), L.MaxPooling2D(name="p"), _conv("c")],
}


@pytest.mark.parametrize("stack", list(STACKS))
@pytest.mark.parametrize("cell", [(0, -1), (1, 1), (-1, 2)])
def test_hot_pixel_lights_its_own_cell(stack, cell):
    """A pixel at a cell's centre (or half a pixel off it): the heatmap peaks there."""
    model = _stack(STACKS[stack]())
    geo = models.receptive_field(model, "c")
    assert geo is not None
    i, j = (c % n for c, n in zip(cell, geo.map_size, strict=True))
    y = int(geo.offset[0] + i * geo.stride[0])  # floor: a pooled cell holds it too
    xx = int(geo.offset[1] + j * geo.stride[1])
    x = np.zeros((1, 32, 32, 1), np.float32)
    x[0, y, xx, 0] = 1.0
    heat = at.grad_cam(model, x, class_index=0, layer_name="c")[0]
    assert heat.max() == pytest.approx(1.0)
    py, px = np.unravel_index(heat.argmax(), heat.shape)
    cy, cx = geo.offset[0] + i * geo.stride[0], geo.offset[1] + j * geo.stride[1]
    assert abs(py - cy) <= 0.5 and abs(px - cx) <= 0.5  # on the cell's centre pixel(s)
    # The whole-image resize of the old code would put it elsewhere near the corners.
    if cell == (0, -1):
        naive = at.upsample(
            np.eye(1, geo.map_size[0] * geo.map_size[1], i * geo.map_size[1] + j).reshape(
                1, *geo.map_size
            ),
            (32, 32),
        )[0]
        assert np.unravel_index(naive.argmax(), naive.shape) != (y, xx)


def test_geometry_of_valid_and_strided_stacks():
    model = _stack([_conv("a"), _conv("b", stride=2), L.MaxPooling2D(name="p"), _conv("c")])
    geo = models.receptive_field(model, "c")
    # a: centre 1, stride 1; b: +1 → 2, stride 2; pool: +0.5*2 → 3, stride 4; c: +4 → 7.
    assert geo.offset == (7.0, 7.0) and geo.stride == (4.0, 4.0)
    assert geo.size == (3 + 2 + 2 + 8, 3 + 2 + 2 + 8)  # (k - 1) x stride so far, summed
    assert geo.map_size == (5, 5)


def test_naive_upsampling_would_misplace_the_corner():
    """The test above can fail: a whole-image resize puts a valid stack's cell 0 elsewhere."""
    model = _stack(STACKS["valid"]())
    geo = models.receptive_field(model, "c")
    one = np.zeros((1, 26, 26), np.float32)
    one[0, 0, 0] = 1.0
    placed = at.upsample(one, (32, 32), geo)[0]
    naive = at.upsample(one, (32, 32))[0]
    assert np.unravel_index(placed.argmax(), placed.shape) == (3, 3)
    assert np.unravel_index(naive.argmax(), naive.shape) != (3, 3)


# ---- localisation -----------------------------------------------------------------------
