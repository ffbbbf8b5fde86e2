"""Plotly figures for images, kernels and filter responses, sized for a page.

Large images are sent light: a float response becomes 256 colour levels (one byte per pixel)
with a colour bar labelled in the real values, and RGB pictures travel as JPEG. Small
matrices (kernels, patches) keep their exact values for hovering and can show them as text.
Row 0 is at the top, as in an image, and pixels are square.

* :mod:`~cnnviz.ui.common.figures.maps` — responses, RGB pictures, matrices and grids of them.
* :mod:`~cnnviz.ui.common.figures.charts` — sliding-window positions and probability bars.
* :mod:`~cnnviz.ui.common.figures.layout` — colour scales, margins and the shared layout.
"""

from cnnviz.ui.common.figures.charts import probability_bars, windows_figure
from cnnviz.ui.common.figures.layout import (
    DIVERGING,
    ROBUST_PERCENTILE,
    SEQUENTIAL,
)
from cnnviz.ui.common.figures.maps import (
    grid_figure,
    image_source,
    mark_trace,
    matrix_figure,
    response_figure,
    rgb_figure,
    value_range,
)

__all__ = [
    "DIVERGING",
    "ROBUST_PERCENTILE",
    "SEQUENTIAL",
    "grid_figure",
    "image_source",
    "mark_trace",
    "matrix_figure",
    "probability_bars",
    "response_figure",
    "rgb_figure",
    "value_range",
    "windows_figure",
]
