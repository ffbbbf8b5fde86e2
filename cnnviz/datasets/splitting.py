"""Counting, splitting and sub-sampling helpers shared by the dataset loaders."""

from __future__ import annotations

import numpy as np

from cnnviz.datasets.dataset import Dataset
from cnnviz.errors import InputError


def count(value, what: str) -> int:
    """``value`` as a whole number ≥ 1, or an ``InputError`` naming ``what``."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a whole number, got {value!r}.") from None
    if n < 1:
        raise InputError(f"{what} must be at least 1, got {n}.")
    return n


def stratified_split(
    y: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices so that every class keeps the same share in both parts.

    Args:
        y: (N,) int class labels.
        test_fraction: share of each class that goes to the test part (0 < f < 1). A class
            with at least two images always keeps one on each side.
        seed: random order of the split.

    Returns:
        (train indices, test indices), each sorted, together a partition of ``range(N)``.
    """
    frac = float(test_fraction)
    if not 0 < frac < 1:
        raise InputError(f"Test fraction must be between 0 and 1, got {test_fraction}.")
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n_test = 0 if len(idx) < 2 else min(len(idx) - 1, max(1, round(frac * len(idx))))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    if not train:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def split_dataset(name, x, y, class_names, test_fraction, seed) -> Dataset:
    """A :class:`Dataset` from images ``x`` and labels ``y``, split per class."""
    train, test = stratified_split(y, test_fraction, seed)
    return Dataset(name, x[train], y[train], x[test], y[test], class_names)


def subset(x, y, n, seed, what) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random images and labels (all of them when ``n`` is None or too large)."""
    if n is None or int(n) >= len(y):
        return x, y
    idx = np.sort(np.random.default_rng(seed).permutation(len(y))[: count(n, what)])
    return x[idx], y[idx]
