"""Sections of the "Draw & attack" page: a drawing pad framed like the data, and FGSM."""

from cnnviz.ui.common.drawing_pad import CANVAS_SIDE, STROKE_WIDTH, dataset_name, draw_ui, drawable
from cnnviz.ui.playground.attack import DEFAULT_EPSILONS, accuracy_curve_ui, curve_figure, fgsm_ui
from cnnviz.ui.playground.draw import draw_section_ui, first_layers_ui, reading_ui, truth_ui

__all__ = [
    "CANVAS_SIDE",
    "DEFAULT_EPSILONS",
    "STROKE_WIDTH",
    "accuracy_curve_ui",
    "curve_figure",
    "dataset_name",
    "draw_section_ui",
    "draw_ui",
    "drawable",
    "fgsm_ui",
    "first_layers_ui",
    "reading_ui",
    "truth_ui",
]
