"""Streamlit code of the Pretrained page.

Its models are loaded through :mod:`cnnviz.ui.common.pretrained_models`, which every model
picker shares (built once per server, downloads with a progress bar, cached predictions).

* :mod:`~cnnviz.ui.pretrained.plots` — top-k bars and the agreement heatmap.
* :mod:`~cnnviz.ui.pretrained.sections` — one model's column and the agreement section.
"""

from cnnviz.ui.pretrained.plots import agreement_figure, top_k_figure
from cnnviz.ui.pretrained.sections import agreement_section, model_column

__all__ = [
    "agreement_figure",
    "agreement_section",
    "model_column",
    "top_k_figure",
]
