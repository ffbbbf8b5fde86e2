"""The Denoising autoencoder page's Course experiments: the course's run in one click.

The page already shows the course's printed losses beside the run's (``course.py``).
"""

from __future__ import annotations

import streamlit as st

from cnnviz import courses, datasets
from cnnviz.autoencoder import COURSE
from cnnviz.ui.autoencoder.settings import BATCH_SIZES
from cnnviz.ui.autoencoder.state import PREFIX, key_of
from cnnviz.ui.common import course_picker
from cnnviz.ui.common.dataset_options import option_key


def apply_experiment(exp: courses.Experiment) -> list[str]:
    """Put the experiment's dataset and the course's run into the page's widgets."""
    state = st.session_state
    problems = []
    if exp.dataset is not None:
        state[key_of("dataset")] = exp.dataset
        state[key_of("defaults_for")] = exp.dataset
        for option in datasets.get(exp.dataset).options:
            value = exp.dataset_options.get(option.name, option.default)
            state[option_key(PREFIX, exp.dataset, option)] = value
    batch = int(exp.training.get("batch_size", COURSE.batch_size))
    if batch not in BATCH_SIZES:
        problems.append(f"Batch {batch} is not offered here.")
    else:
        state[key_of("batch")] = batch
    state[key_of("epochs")] = int(exp.training.get("epochs", COURSE.epochs))
    state[key_of("network")] = "course"
    state[key_of("noise")] = float(COURSE.noise_level)
    state[key_of("loss")] = COURSE.loss_name
    return problems


def course_experiments_ui() -> courses.Experiment | None:
    """The Course experiments picker (call before the data and settings widgets)."""
    return course_picker.course_picker("autoencoder", apply_experiment)
