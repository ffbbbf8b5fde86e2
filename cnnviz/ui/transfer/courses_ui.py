"""The Transfer page's Course experiments: set the page up as a course ran it, then compare."""

from __future__ import annotations

import streamlit as st

from cnnviz import courses, datasets, transfer
from cnnviz.training import TrainingJob
from cnnviz.ui.common import course_picker
from cnnviz.ui.common.dataset_options import option_key
from cnnviz.ui.train.data import ZIP_IMAGE_SIZES
from cnnviz.ui.train.settings import augmentation_to_state
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES, ZIP_CHOICE
from cnnviz.ui.transfer.plan import layer_plan
from cnnviz.ui.transfer.settings import HEAD_UNITS, LAST_STAGE, OWN_SIZE
from cnnviz.ui.transfer.state import PREFIX, key_of

PAGE = "transfer"
_HEAD_FIRST_EPOCHS = 5


def _offered(value, offered, what: str, problems: list[str]):
    """``value`` if the page offers it, else the nearest offered one (and a sentence)."""
    if value in offered:
        return value
    near = min(offered, key=lambda v: abs(v - value))
    problems.append(f"{what} {value:g} is not offered here: set to {near:g}.")
    return near


def _dataset_to_state(exp: courses.Experiment, problems: list[str]) -> None:
    state = st.session_state
    if exp.dataset == courses.ZIP:
        state[key_of("dataset")] = ZIP_CHOICE
        size = exp.dataset_options.get("size")
        if size in ZIP_IMAGE_SIZES:
            state[key_of("zip_size")] = size
        problems.append(
            f"This experiment trains on the course's own photos: upload {exp.archive} as a "
            ".zip. The plan and the counts show once the archive's classes are known."
        )
    elif exp.dataset is not None:
        state[key_of("dataset")] = exp.dataset
        for option in datasets.get(exp.dataset).options:
            value = exp.dataset_options.get(option.name, option.default)
            state[option_key(PREFIX, exp.dataset, option)] = value


def apply_experiment(exp: courses.Experiment) -> list[str]:
    """Put an experiment's dataset, base, head and training settings into the Transfer widgets.

    Returns:
        What could not be set as the course has it, one sentence each.
    """
    state = st.session_state
    problems: list[str] = []
    _dataset_to_state(exp, problems)
    config = courses.training_config(exp)
    t = config.transfer
    spec = transfer.base_spec(t.base)
    state[key_of("base")] = t.base
    state[key_of("mode")] = t.mode
    state[key_of("defaults_for")] = t.mode  # the mode's recommended values stay away
    own = spec.input_size[0]
    state[key_of("input_size")] = OWN_SIZE if t.input_size in (None, own) else int(t.input_size)
    state[key_of("cut_layer")] = t.cut_layer or LAST_STAGE
    state[key_of("pooling")] = t.pooling
    state[key_of("units")] = int(_offered(t.head_units, HEAD_UNITS, "Head units", problems))
    state[key_of("dropout")] = float(t.head_dropout)
    state[key_of("preprocessing")] = t.preprocessing
    state[key_of("trainable_bn")] = bool(t.trainable_batchnorm)
    state[key_of("depth")] = max(1, int(t.fine_tune_layers) or 20)
    state[key_of("head_first")] = int(t.head_epochs) > 0
    state[key_of("head_epochs")] = int(t.head_epochs) or _HEAD_FIRST_EPOCHS
    state[key_of("start_from")] = None  # a new head, as the course starts
    state[key_of("epochs")] = int(config.epochs)
    state[key_of("batch")] = int(_offered(config.batch_size, BATCH_SIZES, "Batch", problems))
    state[key_of("lr")] = float(
        _offered(config.learning_rate, LEARNING_RATES, "Learning rate", problems)
    )
    state[key_of("optimizer")] = config.optimizer
    state[key_of("schedule")] = config.schedule
    augmentation_to_state(config.augmentation, PREFIX)
    return problems


def course_experiments_ui() -> courses.Experiment | None:
    """The Course experiments picker (call before the data and settings widgets)."""
    return course_picker.course_picker(PAGE, apply_experiment)


def course_results_ui(job: TrainingJob) -> None:
    """The active experiment's printed figures beside this finished run's."""
    t = job.config.transfer
    params = {}
    if t is not None:  # counted as the course's summary counts them
        plan = layer_plan(t, job.dataset.num_classes)
        params = {
            "params_total": plan.total,
            "params_trainable": plan.trainable,
            "params_non_trainable": plan.non_trainable,
        }
    course_picker.job_results_beside_the_course(
        job, PAGE, params, t.base if t is not None else None
    )
