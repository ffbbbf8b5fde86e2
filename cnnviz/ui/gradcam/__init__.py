"""Sections of the Grad-CAM page: the explanation itself, then whether to trust it."""

from cnnviz.ui.gradcam.explain import (
    DISPLAY_SIDE,
    Settings,
    class_names,
    class_picker,
    class_probabilities,
    heatmap_section,
    method_controls,
)
from cnnviz.ui.gradcam.sanity import SANITY_SAME, SANITY_STEPS, sanity_section, sanity_steps
from cnnviz.ui.gradcam.trust import (
    COARSE_CELLS,
    LOCALISATION_IMAGES,
    TRUST_MARGIN,
    coarse_map_notice,
    finer_layer,
    in_ten,
    localisation_scores,
    localisation_section,
    localisation_sentence,
    localisation_table,
)

__all__ = [
    "COARSE_CELLS",
    "DISPLAY_SIDE",
    "LOCALISATION_IMAGES",
    "SANITY_SAME",
    "SANITY_STEPS",
    "TRUST_MARGIN",
    "Settings",
    "class_names",
    "class_picker",
    "class_probabilities",
    "coarse_map_notice",
    "finer_layer",
    "heatmap_section",
    "in_ten",
    "localisation_scores",
    "localisation_section",
    "localisation_sentence",
    "localisation_table",
    "method_controls",
    "sanity_section",
    "sanity_steps",
]
