"""Streamlit code of the Activations page: cached activations, figures and page sections.

* :mod:`~cnnviz.ui.activations.cached` — every layer's output for one image, from one
  forward pass, and the per-layer table, mosaic and statistics derived from it.
* :mod:`~cnnviz.ui.activations.plots` — channel mosaics, one map, per-channel bars, kernels.
* :mod:`~cnnviz.ui.activations.sections` — the page's sections (maps, statistics, kernels).
* :mod:`~cnnviz.ui.activations.gabor_match` — learned kernels beside their closest Gabor.
"""

from cnnviz.ui.activations.cached import all_activations, layer_grid, layer_stats, layer_table
from cnnviz.ui.activations.plots import grid_figure, kernel_mosaic, map_figure, stats_figure

__all__ = [
    "all_activations",
    "grid_figure",
    "kernel_mosaic",
    "layer_grid",
    "layer_stats",
    "layer_table",
    "map_figure",
    "stats_figure",
]
