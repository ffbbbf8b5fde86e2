"""Moved to :mod:`cnnviz.ui.filters.response_figures`; this name stays for older imports."""

from cnnviz.ui.filters.response_figures import colorize, mosaic_figure, overlay, response_image

__all__ = ["colorize", "mosaic_figure", "overlay", "response_image"]
