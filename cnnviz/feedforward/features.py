"""The Playground's input features: x, y, x², y², xy, sin x and sin y.

Each is a :class:`Feature` in :data:`FEATURES`; :func:`feature_matrix` turns points into
the network's inputs. Coordinates are divided by 6 (the square's half side) before
x, y, the squares and the product, so every input lies in about [-1, 1]; sin x and
sin y take the coordinates as they are (about one turn across the square).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.feedforward.pointsets import RADIUS
from cnnviz.registry import Entry, Registry


@dataclass(frozen=True)
class Feature(Entry):
    """One input of the network, computed from a point.

    Attributes:
        compute: ``(x, y) -> values``, arrays of the same shape (coordinates in [-6, 6]).
    """

    compute: Callable[[np.ndarray, np.ndarray], np.ndarray] = None  # type: ignore[assignment]


FEATURES: Registry[Feature] = Registry("input feature")

for _feature in (
    Feature("x", "x", "The first coordinate.", compute=lambda x, y: x / RADIUS),
    Feature("y", "y", "The second coordinate.", compute=lambda x, y: y / RADIUS),
    Feature("x2", "x²", "The first coordinate squared.", compute=lambda x, y: (x / RADIUS) ** 2),
    Feature("y2", "y²", "The second coordinate squared.", compute=lambda x, y: (y / RADIUS) ** 2),
    Feature("xy", "xy", "The product of the coordinates.",
            compute=lambda x, y: x * y / RADIUS**2),
    Feature("sinx", "sin x", "The sine of the first coordinate.", compute=lambda x, y: np.sin(x)),
    Feature("siny", "sin y", "The sine of the second coordinate.", compute=lambda x, y: np.sin(y)),
):  # fmt: skip
    FEATURES.register(_feature)


def feature_matrix(points: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """The network's inputs for ``points``.

    Args:
        points: (N, 2) coordinates in about [-6, 6].
        keys: feature keys of :data:`FEATURES`, in the order of the columns.

    Returns:
        (N, len(keys)) float64, each column in about [-1, 1].

    Raises:
        InputError: no feature, or an unknown one.
    """
    if not keys:
        raise InputError("Pick at least one input feature.")
    points = np.asarray(points, dtype=np.float64)
    x, y = points[:, 0], points[:, 1]
    return np.stack([FEATURES.get(k).compute(x, y) for k in keys], axis=1)
