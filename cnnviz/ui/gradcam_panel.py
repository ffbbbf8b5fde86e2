"""Moved to :mod:`cnnviz.ui.common.gradcam_overlay` and :mod:`cnnviz.ui.gradcam`.

These names stay here for existing imports.
"""

from cnnviz.ui.common.gradcam_overlay import (  # noqa: F401
    gradcam_heatmap_for,
    gradcam_overlay_for,
    show_gradcam_overlay,
)
from cnnviz.ui.gradcam import (  # noqa: F401
    COARSE_CELLS,
    LOCALISATION_IMAGES,
    SANITY_SAME,
    SANITY_STEPS,
    TRUST_MARGIN,
    coarse_map_notice,
    finer_layer,
    in_ten,
    localisation_scores,
    localisation_section,
    localisation_sentence,
    localisation_table,
    sanity_section,
    sanity_steps,
)
