"""Streamlit code of the Pretrained page (and of every picker offering a pretrained model).

* :mod:`~cnnviz.ui.pretrained.loading` — models built once per server, downloads with a
  progress bar, cached predictions.
* :mod:`~cnnviz.ui.pretrained.plots` — top-k bars and the agreement heatmap.
* :mod:`~cnnviz.ui.pretrained.sections` — one model's column and the agreement section.
"""

from cnnviz.ui.pretrained.loading import cached_model, cached_prediction, load_model, model_label
from cnnviz.ui.pretrained.plots import agreement_figure, top_k_figure
from cnnviz.ui.pretrained.sections import agreement_section, model_column

__all__ = [
    "agreement_figure",
    "agreement_section",
    "cached_model",
    "cached_prediction",
    "load_model",
    "model_column",
    "model_label",
    "top_k_figure",
]
