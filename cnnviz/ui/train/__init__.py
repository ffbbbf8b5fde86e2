"""Streamlit sections of the Train page, shared with other pages that train models.

Each ``*_ui`` function draws one section and returns what the page needs next; the work is
done by :mod:`cnnviz.datasets`, :mod:`cnnviz.architectures`, :mod:`cnnviz.training`,
:mod:`cnnviz.models.evaluation` and :mod:`cnnviz.store`. Session-state keys start with ``train_``
on the Train page; the progress and results sections take a ``prefix`` so another page
(Transfer learning) can show them with keys of its own. A running job is found again
through its id, so it keeps running, and is shown again, when the student comes back.
"""

from cnnviz.ui.train.code import code_ui
from cnnviz.ui.train.compare import compare_runs_ui, comparison_figure
from cnnviz.ui.train.courses_ui import course_experiments_ui, course_results_ui
from cnnviz.ui.train.data import dataset_preview_ui, dataset_ui, dropout_override, is_zip_choice
from cnnviz.ui.train.jobs import (
    current_job,
    forget_finished_job_on_other_data,
    interrupted_jobs_ui,
    start_clicked,
    start_error_ui,
    start_job,
    train_button,
)
from cnnviz.ui.train.network import architecture_ui
from cnnviz.ui.train.preset_ui import apply_class_preset, class_link_ui
from cnnviz.ui.train.progress import progress_ui
from cnnviz.ui.train.results import results_ui
from cnnviz.ui.train.settings import (
    apply_recommended,
    augmentation_ui,
    config_from_state,
    hyperparameters_ui,
)
from cnnviz.ui.train.state import model_store, remember_settings, restore_settings
from cnnviz.ui.train.store_ui import model_store_ui, upload_model_ui

__all__ = [
    "apply_class_preset",
    "apply_recommended",
    "architecture_ui",
    "augmentation_ui",
    "class_link_ui",
    "code_ui",
    "compare_runs_ui",
    "comparison_figure",
    "config_from_state",
    "course_experiments_ui",
    "course_results_ui",
    "current_job",
    "dataset_preview_ui",
    "dataset_ui",
    "dropout_override",
    "forget_finished_job_on_other_data",
    "hyperparameters_ui",
    "interrupted_jobs_ui",
    "is_zip_choice",
    "model_store",
    "model_store_ui",
    "progress_ui",
    "remember_settings",
    "restore_settings",
    "results_ui",
    "start_clicked",
    "start_error_ui",
    "start_job",
    "train_button",
    "upload_model_ui",
]
