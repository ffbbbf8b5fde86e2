"""Sections of the Grad-CAM page: the explanation itself, then whether to trust it."""

from cnnviz.ui.gradcam.code import code_section
from cnnviz.ui.gradcam.explain import (
    DISPLAY_SIDE,
    Settings,
    class_names,
    class_picker,
    class_probabilities,
    heatmap_section,
    method_controls,
)
from cnnviz.ui.gradcam.sanity import SANITY_STEPS, sanity_section, sanity_steps
from cnnviz.ui.gradcam.trust import (
    COARSE_CELLS,
    LOCALISATION_IMAGES,
    coarse_map_notice,
    finer_layer,
    localisation_scores,
    localisation_section,
    localisation_sentence,
    localisation_table,
    pointing_shares,
)
from cnnviz.ui.gradcam.verdict import verdict_section, verdict_text

__all__ = [
    "COARSE_CELLS",
    "DISPLAY_SIDE",
    "LOCALISATION_IMAGES",
    "SANITY_STEPS",
    "Settings",
    "class_names",
    "class_picker",
    "class_probabilities",
    "coarse_map_notice",
    "code_section",
    "finer_layer",
    "heatmap_section",
    "localisation_scores",
    "localisation_section",
    "localisation_sentence",
    "localisation_table",
    "method_controls",
    "pointing_shares",
    "sanity_section",
    "sanity_steps",
    "verdict_section",
    "verdict_text",
]
