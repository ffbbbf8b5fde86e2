"""Streamlit code of the Pretrained page.

Its models are loaded through :mod:`cnnviz.ui.common.pretrained_models`, which every model
picker shares (built once per server, downloads with a progress bar, cached predictions).

* :mod:`~cnnviz.ui.pretrained.choice` — the model list, "Select all" and the note on
  missing weight files.
* :mod:`~cnnviz.ui.pretrained.plots` — top-k bars and the agreement heatmap.
* :mod:`~cnnviz.ui.pretrained.sections` — one model's column and the agreement section.
* :mod:`~cnnviz.ui.pretrained.sizes` — agreement with no download: the bundled model at two
  input sizes.
"""

from cnnviz.ui.pretrained.choice import missing_weights_note, model_choice
from cnnviz.ui.pretrained.code import code_section
from cnnviz.ui.pretrained.plots import agreement_figure, top_k_figure
from cnnviz.ui.pretrained.sections import agreement_section, model_column
from cnnviz.ui.pretrained.sizes import input_size_section

__all__ = [
    "agreement_figure",
    "agreement_section",
    "code_section",
    "input_size_section",
    "missing_weights_note",
    "model_choice",
    "model_column",
    "top_k_figure",
]
