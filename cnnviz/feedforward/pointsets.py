"""TensorFlow Playground's 2-D point sets: circle, XOR, two Gaussians and a spiral.

Each set is a :class:`PointSet` in :data:`POINT_SETS` (the one registry shape); its
``generate(n, noise, rng)`` draws ``n`` points in the square [-6, 6]² with labels 0 or 1,
as the Playground draws them. :func:`make_points` shuffles, adds the noise and splits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry

RADIUS = 6.0
"""Points lie in the square [-RADIUS, RADIUS]², the Playground's square."""


@dataclass(frozen=True)
class PointSet(Entry):
    """One kind of 2-D point set.

    Attributes:
        generate: ``(n, noise, rng) -> (points (n, 2) float64, labels (n,) int64 in {0, 1})``;
            ``noise`` in 0..1 spreads the points (1 is the Playground's noise 50).
        linear: whether one straight line can separate the two classes.
    """

    generate: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]] = None  # type: ignore[assignment]
    linear: bool = False


POINT_SETS: Registry[PointSet] = Registry("point set")


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Half the points inside radius 2.5 (class 1), half in the ring 3.5..5 (class 0).
    inner = n // 2
    r = np.concatenate([rng.uniform(0, 0.5, inner), rng.uniform(0.7, 1.0, n - inner)]) * 5
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    points += rng.uniform(-5, 5, (n, 2)) * noise * 0.5
    labels = (np.arange(n) < inner).astype(np.int64)
    return points, labels


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Uniform in the square, kept a little away from the axes; the class is sign(x·y).
    points = rng.uniform(-5, 5, (n, 2))
    points += np.sign(points) * 0.3
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    points += rng.uniform(-5, 5, (n, 2)) * noise * 0.5
    return points, labels


def _gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Two round clouds centred at (2, 2) and (-2, -2); noise widens them.
    half = n // 2
    spread = 0.5 + 3.5 * noise
    labels = np.concatenate([np.ones(half), np.zeros(n - half)]).astype(np.int64)
    centres = np.where(labels[:, None] == 1, 2.0, -2.0)
    return centres + rng.normal(0, spread, (n, 2)), labels


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Two arms, each 1.75 turns out to radius 5, the second turned by half a turn.
    half = n // 2
    labels = np.concatenate([np.ones(half), np.zeros(n - half)]).astype(np.int64)
    i = np.concatenate([np.arange(half) / half, np.arange(n - half) / (n - half)])
    r = 5 * i
    t = 1.75 * i * 2 * np.pi + np.where(labels == 1, 0.0, np.pi)
    points = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    points += rng.uniform(-1, 1, (n, 2)) * noise
    return points, labels


for _set in (
    PointSet("circle", "Circle", "One class inside a circle, the other in a ring around it.",
             generate=_circle),
    PointSet("xor", "XOR", "The class is whether x and y have the same sign: no single "
             "straight line separates it.", generate=_xor),
    PointSet("gauss", "Two Gaussians", "Two round clouds: one straight line separates them.",
             generate=_gaussians, linear=True),
    PointSet("spiral", "Spiral", "Two arms winding around each other: the hardest one.",
             generate=_spiral),
):  # fmt: skip
    POINT_SETS.register(_set)


@dataclass(frozen=True)
class Points:
    """A point set split for training and testing.

    Attributes:
        x_train, x_test: (N, 2) float64 coordinates in about [-6, 6].
        y_train, y_test: (N,) int64 labels in {0, 1}.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def make_points(
    key: str, *, n: int = 500, noise: float = 0.0, train_ratio: float = 0.5, seed: int = 0
) -> Points:
    """Draw ``n`` points of the set ``key``, shuffle them and split them.

    Args:
        key: a key of :data:`POINT_SETS` (``"spiral"``).
        n: number of points, 10 to 5,000.
        noise: 0 (clean) to 1 (very noisy).
        train_ratio: share of the points used for training, 0.1 to 0.9.
        seed: the random seed; the same seed gives the same points.

    Raises:
        InputError: an unknown set or a value out of range.
    """
    spec = POINT_SETS.get(key)
    if not 10 <= n <= 5000:
        raise InputError(f"The number of points must be 10 to 5000, not {n}.")
    if not 0.0 <= noise <= 1.0:
        raise InputError(f"The noise must be between 0 and 1, not {noise}.")
    if not 0.1 <= train_ratio <= 0.9:
        raise InputError(f"The training share must be between 0.1 and 0.9, not {train_ratio}.")
    rng = np.random.default_rng(seed)
    points, labels = spec.generate(n, noise, rng)
    order = rng.permutation(n)
    points, labels = points[order], labels[order]
    k = round(n * train_ratio)
    return Points(points[:k], labels[:k], points[k:], labels[k:])
