"""Sections of the Filter visualization page: controls, the generated gallery, real examples."""

from cnnviz.ui.featureviz import exemplars, gallery
from cnnviz.ui.featureviz.code import code_section
from cnnviz.ui.featureviz.controls import (
    MAX_FILTERS,
    SIZES,
    Settings,
    conv_layers_or_stop,
    layer_and_recipe,
    recipe_options,
    run_settings,
    settings,
)

__all__ = [
    "MAX_FILTERS",
    "SIZES",
    "Settings",
    "code_section",
    "conv_layers_or_stop",
    "exemplars",
    "gallery",
    "layer_and_recipe",
    "recipe_options",
    "run_settings",
    "settings",
]
