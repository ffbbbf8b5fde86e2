"""Streamlit code of the Transfer learning page: base, mode, settings, layer plan, comparison.

The dataset picker, live progress and evaluation are the Train page's sections
(:mod:`cnnviz.ui.train`) with the key prefix ``"transfer"``; the work is done by
:mod:`cnnviz.transfer`.

* :mod:`~cnnviz.ui.transfer.state` — the page's keys and its settings kept between visits.
* :mod:`~cnnviz.ui.transfer.base` — the pretrained base and the training mode.
* :mod:`~cnnviz.ui.transfer.settings` — head, optimisation and augmentation settings.
* :mod:`~cnnviz.ui.transfer.plan` — parameter counts and the base's frozen / trainable layers.
* :mod:`~cnnviz.ui.transfer.courses_ui` — the Course experiments picker and the course's
  figures beside the run's.
* :mod:`~cnnviz.ui.transfer.compare` — every saved run on the dataset, side by side.
"""

from cnnviz.ui.transfer.base import base_ui, mode_ui
from cnnviz.ui.transfer.compare import compare_figure, compare_ui
from cnnviz.ui.transfer.courses_ui import (
    apply_experiment,
    course_experiments_ui,
    course_results_ui,
)
from cnnviz.ui.transfer.plan import plan_ui
from cnnviz.ui.transfer.settings import settings_ui
from cnnviz.ui.transfer.state import PAGE, PREFIX, remember_settings, restore_settings

__all__ = [
    "PAGE",
    "PREFIX",
    "apply_experiment",
    "base_ui",
    "compare_figure",
    "compare_ui",
    "course_experiments_ui",
    "course_results_ui",
    "mode_ui",
    "plan_ui",
    "remember_settings",
    "restore_settings",
    "settings_ui",
]
