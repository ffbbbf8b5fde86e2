"""Receptive-field alignment, localisation scores and the sanity cascade."""

import keras
import numpy as np
import pytest

from cnnviz import attribution as at
from cnnviz import modelutils
from cnnviz.attribution import metrics as loc
from cnnviz.errors import InputError

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
    geo = modelutils.receptive_field(model, "c")
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
    geo = modelutils.receptive_field(model, "c")
    # a: centre 1, stride 1; b: +1 → 2, stride 2; pool: +0.5*2 → 3, stride 4; c: +4 → 7.
    assert geo.offset == (7.0, 7.0) and geo.stride == (4.0, 4.0)
    assert geo.size == (3 + 2 + 2 + 8, 3 + 2 + 2 + 8)  # (k - 1) x stride so far, summed
    assert geo.map_size == (5, 5)


def test_naive_upsampling_would_misplace_the_corner():
    """The test above can fail: a whole-image resize puts a valid stack's cell 0 elsewhere."""
    model = _stack(STACKS["valid"]())
    geo = modelutils.receptive_field(model, "c")
    one = np.zeros((1, 26, 26), np.float32)
    one[0, 0, 0] = 1.0
    placed = at.upsample(one, (32, 32), geo)[0]
    naive = at.upsample(one, (32, 32))[0]
    assert np.unravel_index(placed.argmax(), placed.shape) == (3, 3)
    assert np.unravel_index(naive.argmax(), naive.shape) != (3, 3)


# ---- localisation -----------------------------------------------------------------------


def _peaked(n, size, points):
    maps = np.zeros((n, size, size), np.float32)
    for i, (y, x) in enumerate(points):
        maps[i, y, x] = 1.0
    return maps


def test_pointing_and_energy_closed_form():
    boxes = np.array([[2, 2, 6, 6], [10, 10, 14, 14]], float)
    inside = _peaked(2, 16, [(3, 3), (12, 12)])
    outside = _peaked(2, 16, [(12, 12), (3, 3)])
    assert loc.pointing_hits(inside, boxes).tolist() == [True, True]
    assert loc.pointing_hits(outside, boxes).tolist() == [False, False]
    assert loc.energy_inside(inside, boxes).tolist() == [1.0, 1.0]
    assert loc.energy_inside(outside, boxes).tolist() == [0.0, 0.0]
    half = np.zeros((1, 16, 16))
    half[0, 3, 3] = half[0, 12, 12] = 1.0
    assert loc.energy_inside(half, boxes[:1])[0] == pytest.approx(0.5)
    assert loc.energy_inside(np.zeros((1, 16, 16)), boxes[:1])[0] == 0.0


def test_baselines():
    boxes = np.array([[0, 0, 4, 4], [6, 6, 10, 10], [12, 0, 16, 4]], float)
    maps = _peaked(3, 16, [(1, 1), (8, 8), (1, 13)])
    scores = loc.score_maps(maps, boxes)
    assert scores["pointing"] == 1.0 and scores["energy"] == 1.0
    # Only the middle box holds the centre (7.5 → first maximum at pixel 7).
    assert scores["centre_pointing"] == pytest.approx(1 / 3)
    centre = loc.centre_maps(1, (16, 16))[0]
    expected = np.mean([centre[b[1] : b[3], b[0] : b[2]].sum() for b in boxes.astype(int)])
    assert scores["centre_energy"] == pytest.approx(expected / centre.sum())
    # Shuffled boxes: no map keeps its own box, and these three are disjoint.
    p = loc.derangement(3)
    assert (p != np.arange(3)).all()
    assert scores["shuffled_pointing"] == 0.0 and scores["shuffled_energy"] == 0.0


def _gap_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
            L.Conv2D(4, 3, padding="same", activation="relu", name="c2"),
            L.GlobalAveragePooling2D(),
            L.Dense(2, name="out"),
        ]
    )


def test_localisation_scores_cached_and_checked(monkeypatch):
    model = _gap_model()
    rng = np.random.default_rng(0)
    x = rng.random((6, 16, 16, 3)).astype(np.float32)
    boxes = np.tile([4, 4, 12, 12], (6, 1))
    result = at.localisation(model, x, boxes, methods=["gradcam", "saliency"])
    assert set(result) == {"gradcam", "saliency"}
    for scores in result.values():
        assert set(scores) == set(at.SCORES)
        assert all(0.0 <= v <= 1.0 for v in scores.values())
    calls = []
    original = at.METHODS["gradcam"].__class__.__call__
    monkeypatch.setattr(
        at.METHODS["gradcam"].__class__,
        "__call__",
        lambda self, *a, **k: calls.append(1) or original(self, *a, **k),
    )
    again = at.localisation(model, x, boxes, methods=["gradcam", "saliency"])
    assert again == result and not calls  # cached: nothing recomputed
    at.localisation(model, x[:5], boxes[:5], methods=["gradcam"])
    assert len(calls) == 1  # other images: one batched pass
    with pytest.raises(InputError):
        at.localisation(model, x, boxes[:3])
    with pytest.raises(InputError):
        at.localisation(model, x, boxes, methods=["nope"])


# ---- sanity cascade ---------------------------------------------------------------------


def test_cascade_randomises_top_down_on_a_clone():
    model = _gap_model()
    before = [w.copy() for w in model.get_weights()]
    x = np.random.default_rng(1).random((2, 16, 16, 3)).astype(np.float32)
    steps = at.cascade(model, x, "gradcam", layer_name="c2")
    assert [s.layer for s in steps] == ["original", "out", "c2", "c1"]
    assert steps[-1].randomised == ("out", "c2", "c1")
    assert np.allclose(steps[0].spearman, 1.0)
    for s in steps:
        assert s.heatmaps.shape == (2, 16, 16)
        assert np.all((s.spearman >= -1) & (s.spearman <= 1))
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the given model is untouched


def test_spearman_matches_known_values():
    a = np.arange(16, dtype=float).reshape(1, 4, 4)
    assert at.spearman(a, a)[0] == pytest.approx(1.0)
    assert at.spearman(a, -a)[0] == pytest.approx(-1.0)
    assert at.spearman(a, np.zeros_like(a))[0] == 0.0
    b = a**3  # monotone: same ranks
    assert at.spearman(a, b)[0] == pytest.approx(1.0)
