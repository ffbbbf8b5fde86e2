"""Feature-visualization recipes, registered in :data:`RECIPES`.

Each recipe is a composition of a parameterisation, transforms and an optimiser, not a
branch in the loop.

A new recipe is one entry: say how the image is drawn (:mod:`~cnnviz.featureviz.param`),
what random transforms each step sees (:mod:`~cnnviz.featureviz.transforms`) and how it
climbs (:mod:`~cnnviz.featureviz.optimizers`); :func:`cnnviz.featureviz.visualize_filters`
runs any of them, and the page and tests list them from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.featureviz.optimizers import Adam, NormalisedAscent
from cnnviz.featureviz.param import FourierParam, PixelParam
from cnnviz.featureviz.transforms import RandomAffine
from cnnviz.registry import Entry, Registry


@dataclass(frozen=True)
class Recipe(Entry):
    """How filter pictures are made.

    Attributes:
        option: the longer line a student picks the recipe by (says what it is made of).
        param: the parameterisation (``init``, ``renderer``, ``project``, ``periodic``).
        transforms: random transforms applied, in order, before every step.
        optimizer: the ascent rule (``rate``, ``update``).
    """

    option: str = ""
    param: FourierParam | PixelParam = field(default_factory=PixelParam)
    transforms: tuple[RandomAffine, ...] = ()
    optimizer: Adam | NormalisedAscent = field(default_factory=NormalisedAscent)

    @property
    def periodic(self) -> bool:
        """The pictures are periodic (one period can be optimised and repeated)."""
        return bool(self.param.periodic)

    def sample_transforms(
        self, rng: np.random.Generator, steps: int, size: int, side: float
    ) -> np.ndarray:
        """(steps, P) float32 parameters of every transform for one image, P = sum of widths."""
        parts = [t.sample(rng, steps, size, side) for t in self.transforms]
        if not parts:
            return np.zeros((steps, 0), np.float32)
        return np.concatenate(parts, axis=1).astype(np.float32)


RECIPES: Registry[Recipe] = Registry("method")
"""Every recipe, in the order the page offers them (the first is the default)."""

FOURIER = RECIPES.register(
    Recipe(
        key="fourier",
        title="Quality recipe",
        help=(
            "The recipe of Olah et al. (Feature Visualization, Distill 2017): the image is "
            "drawn in a Fourier basis scaled by 1/frequency with decorrelated colours, and "
            "every step sees a randomly padded, shifted, scaled and rotated copy. Noise "
            "does not survive, so the pictures show shapes and textures."
        ),
        option="Quality: Fourier basis + random jitter, scale, rotation (Adam)",
        param=FourierParam(),
        transforms=(RandomAffine(),),
        optimizer=Adam(learning_rate=0.05),
    )
)

NAIVE = RECIPES.register(
    Recipe(
        key="naive",
        title="Naive gradient ascent",
        help=(
            "Start from grey plus noise and take normalised gradient steps on the pixels, "
            "with no regularisation: it finds high-frequency patterns that also excite the "
            "filter."
        ),
        option="Naive: plain gradient steps on the pixels",
        param=PixelParam(),
        transforms=(),
        optimizer=NormalisedAscent(learning_rate=0.01),
    )
)
