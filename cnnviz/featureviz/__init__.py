"""Feature visualization: images that make a chosen filter fire, by gradient ascent.

Split by concern, as Lucent's ``optvis``: ``param`` (how an image is drawn: pixels or a
Fourier basis), ``transforms`` (random jitter, scale and rotation each step), ``objectives``
(what is maximised), ``optimizers`` (Adam, normalised ascent), ``recipes`` (a registry of
compositions of the three), ``render`` (the loop, :func:`visualize_filters`), ``canvas``
(the periodic canvas and effective receptive field), ``exemplars`` (real patches that
excite a filter) and ``layers`` (where the page starts).

Two recipes are registered, so a student can compare them on the same filters:
``"fourier"`` (default, Olah et al., Distill 2017) and ``"naive"`` (plain gradient steps
on the pixels, which find high-frequency patterns that excite the filter).
"""

from cnnviz.featureviz.canvas import (
    MIN_CANVAS,
    effective_receptive_field,
    optimised_side,
    periodic_canvas,
)
from cnnviz.featureviz.exemplars import Exemplars, top_exemplars
from cnnviz.featureviz.layers import BIG_MODEL_PARAMS, default_layer, filter_count
from cnnviz.featureviz.param import COLOR_MIX, FourierBasis, FourierParam, PixelParam
from cnnviz.featureviz.recipes import RECIPES, Recipe
from cnnviz.featureviz.render import (
    DEFAULT_STEPS,
    FAST_STEPS,
    MAX_SIZE,
    MIN_SIZE,
    default_steps,
    visualize_filters,
)
from cnnviz.featureviz.transforms import RandomAffine

METHODS: tuple[str, ...] = tuple(RECIPES.keys())
"""Recipe keys accepted by :func:`visualize_filters` (see :data:`RECIPES`)."""

__all__ = [
    "BIG_MODEL_PARAMS",
    "COLOR_MIX",
    "DEFAULT_STEPS",
    "FAST_STEPS",
    "MAX_SIZE",
    "METHODS",
    "MIN_CANVAS",
    "MIN_SIZE",
    "RECIPES",
    "Exemplars",
    "FourierBasis",
    "FourierParam",
    "PixelParam",
    "RandomAffine",
    "Recipe",
    "default_layer",
    "default_steps",
    "effective_receptive_field",
    "filter_count",
    "optimised_side",
    "periodic_canvas",
    "top_exemplars",
    "visualize_filters",
]
