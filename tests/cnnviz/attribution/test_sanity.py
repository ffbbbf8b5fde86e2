"""The cascading randomisation check and its rank correlation."""

import keras
import numpy as np
import pytest

from cnnviz import attribution as at

L = keras.layers


def test_cascade_randomises_top_down_on_a_clone(gap_model):
    model = gap_model
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
