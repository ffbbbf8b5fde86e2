"""Streamlit code of the Activation functions page: its figures (the maths is in the core)."""

from cnnviz.ui.activation_functions.code import code_section
from cnnviz.ui.activation_functions.plots import curves_figure, vanishing_figure

__all__ = ["code_section", "curves_figure", "vanishing_figure"]
