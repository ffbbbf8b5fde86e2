"""Pointing game, energy and their baselines; localisation over methods."""

import keras
import numpy as np
import pytest

from cnnviz import attribution as at
from cnnviz.attribution import metrics as loc
from cnnviz.errors import InputError

L = keras.layers


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


def test_localisation_scores_cached_and_checked(monkeypatch, gap_model):
    model = gap_model
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
