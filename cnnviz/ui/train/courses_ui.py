"""The Train page's Course experiments: set the page up as a course ran it, then compare."""

from __future__ import annotations

import streamlit as st

from cnnviz import courses, datasets
from cnnviz.training import TrainingJob
from cnnviz.ui.common import course_picker
from cnnviz.ui.common.dataset_options import option_key
from cnnviz.ui.train.data import ZIP_IMAGE_SIZES
from cnnviz.ui.train.settings import defaults_to_state
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES, SIMPLE_KEY, ZIP_CHOICE

PAGE = "train"


def _nearest(value: float, offered: tuple) -> float:
    return min(offered, key=lambda v: abs(v - value))


def apply_experiment(exp: courses.Experiment) -> list[str]:
    """Put an experiment's dataset, network and training settings into the Train widgets.

    Returns:
        What could not be set as the course has it, one sentence each.
    """
    state = st.session_state
    problems = []
    if exp.dataset == courses.ZIP:
        state["train_dataset"] = ZIP_CHOICE
        size = exp.dataset_options.get("size")
        if size in ZIP_IMAGE_SIZES:
            state["train_zip_size"] = size
        state["train_defaults_for"] = f"zip:{state.get('train_zip_digest', '')}"
        problems.append(
            f"This experiment trains on the course's own photos: upload {exp.archive} as a "
            ".zip (then press Set up again if the settings changed)."
        )
    elif exp.dataset is not None:
        state["train_dataset"] = exp.dataset
        state["train_defaults_for"] = exp.dataset
        for option in datasets.get(exp.dataset).options:
            value = exp.dataset_options.get(option.name, option.default)
            state[option_key(PAGE, exp.dataset, option)] = value
    if exp.training:
        config = courses.training_config(exp)
        if config.batch_size not in BATCH_SIZES:
            near = int(_nearest(config.batch_size, BATCH_SIZES))
            problems.append(f"Batch {config.batch_size} is not offered here: set to {near}.")
            config.batch_size = near
        if config.learning_rate not in LEARNING_RATES:
            near = _nearest(config.learning_rate, LEARNING_RATES)
            problems.append(f"Learning rate {config.learning_rate:g} is not offered: {near:g}.")
            config.learning_rate = near
        defaults_to_state(config)
    if exp.network is not None and exp.network != courses.AUTOENCODER:
        state["train_arch"] = exp.network
        state["train_custom"] = False
    state[SIMPLE_KEY] = False
    return problems


def course_experiments_ui() -> courses.Experiment | None:
    """The Course experiments picker (call before the data and settings widgets)."""
    return course_picker.course_picker(PAGE, apply_experiment)


def course_results_ui(job: TrainingJob) -> None:
    """The active experiment's printed figures beside this finished run's."""
    params = {"params_total": job.params} if job.params else {}
    arch = job.config.architecture
    network = arch if isinstance(arch, str) else None  # an edited layer table: not compared
    course_picker.job_results_beside_the_course(job, PAGE, params, network)
