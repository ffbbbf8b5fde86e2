"""Train page, section 3: optimiser, schedule, augmentation and the config they make."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import datasets, training
from cnnviz.errors import InputError
from cnnviz.training import (
    Augmentation,
    TrainingConfig,
)
from cnnviz.ui.text import plain
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES, SIMPLE_KEY, enlarge

_AUG_KEYS = ("rotation", "shift", "zoom", "contrast")


def _defaults_to_state(cfg: TrainingConfig) -> None:
    """Put a config's values into the settings widgets (before they are drawn)."""
    state = st.session_state
    state["train_epochs"] = int(cfg.epochs)
    state["train_batch"] = int(cfg.batch_size)
    state["train_lr"] = float(cfg.learning_rate)
    state["train_optimizer"] = cfg.optimizer
    state["train_schedule"] = cfg.schedule
    state["train_val"] = float(cfg.validation_split)
    state["train_dropout_on"] = cfg.dropout is not None
    state["train_dropout"] = 0.3 if cfg.dropout is None else float(cfg.dropout)
    state["train_patience"] = int(cfg.early_stopping)
    state["train_seed"] = int(cfg.seed)
    aug = cfg.augmentation
    state["train_flip"] = aug.flip
    state["train_rotation"] = float(aug.rotation)
    state["train_shift"] = float(aug.shift)
    state["train_zoom"] = float(aug.zoom)
    state["train_contrast"] = float(aug.contrast)
    if isinstance(cfg.architecture, str):
        state["train_arch"] = cfg.architecture


def apply_recommended(dataset_name: str) -> None:
    """Reset the settings to the tuned defaults when the dataset changes."""
    if st.session_state.get("train_defaults_for") != dataset_name:
        st.session_state["train_defaults_for"] = dataset_name
        _defaults_to_state(training.recommended_config(dataset_name))


def hyperparameters_ui() -> dict:
    """Optimizer, learning rate, batch size, epochs, validation, dropout, early stopping, seed.

    Returns:
        Keyword arguments for :class:`TrainingConfig` (without architecture and augmentation).
    """
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input("Epochs", 1, 200, key="train_epochs")
    batch = c2.selectbox("Batch size", BATCH_SIZES, key="train_batch")
    lr = c3.select_slider(
        "Learning rate", LEARNING_RATES, key="train_lr", format_func=lambda v: f"{v:g}"
    )
    optimizer = c4.selectbox(
        "Optimizer",
        list(training.OPTIMIZERS),
        key="train_optimizer",
        format_func=lambda o: {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD + momentum"}[o],
    )
    state = st.session_state
    if state.get(SIMPLE_KEY):
        # A class link hid the rest: their values come from the link (or the defaults).
        st.caption("The other settings are chosen by your class link.")
        st.button(
            "Show all settings",
            key="train_show_all",
            icon=":material/tune:",
            on_click=lambda: state.update({SIMPLE_KEY: False}),
        )
        return {
            "epochs": int(epochs),
            "batch_size": int(batch),
            "learning_rate": float(lr),
            "optimizer": optimizer,
            "validation_split": float(state.get("train_val", 0.1)),
            "dropout": float(state.get("train_dropout", 0.3))
            if state.get("train_dropout_on")
            else None,
            "early_stopping": int(state.get("train_patience", 0)),
            "schedule": state.get("train_schedule", "cosine"),
            "seed": int(state.get("train_seed", 0)),
        }
    c1, c2, c3, c4 = st.columns(4)
    val = c1.slider(
        "Validation share",
        0.0,
        0.5,
        step=0.05,
        key="train_val",
        help="Part of the training images held out to watch for overfitting (ignored when "
        "the dataset has its own validation folder).",
    )
    with c2:
        dropout_on = st.toggle("Override dropout", key="train_dropout_on")
        dropout = st.slider(
            "Dropout rate", 0.0, 0.8, step=0.05, key="train_dropout", disabled=not dropout_on
        )
    patience = c3.number_input(
        "Early stopping (patience, 0 = off)",
        0,
        50,
        key="train_patience",
        help="Stop when the validation loss has not improved for this many epochs, and keep "
        "the best weights.",
    )
    with c4:
        schedule = st.selectbox(
            "Learning-rate schedule",
            list(training.SCHEDULES),
            key="train_schedule",
            format_func=lambda s: {"cosine": "cosine decay", "constant": "constant"}[s],
        )
        seed = st.number_input("Seed", 0, 2**31 - 1, key="train_seed")
    return {
        "epochs": int(epochs),
        "batch_size": int(batch),
        "learning_rate": float(lr),
        "optimizer": optimizer,
        "validation_split": float(val),
        "dropout": float(dropout) if dropout_on else None,
        "early_stopping": int(patience),
        "schedule": schedule,
        "seed": int(seed),
    }


def augmentation_ui(ds: datasets.Dataset) -> Augmentation:
    """Augmentation settings with a preview grid of augmented training images."""
    state = st.session_state
    if state.get(SIMPLE_KEY):
        return Augmentation(
            state.get("train_flip", "none"),
            *(float(state.get(f"train_{k}", 0.0)) for k in _AUG_KEYS),
        )
    with st.expander("Data augmentation (training images only)"):
        c1, c2, c3, c4, c5 = st.columns(5)
        flip = c1.selectbox(
            "Flip",
            list(training.FLIP_MODES),
            key="train_flip",
            format_func=lambda f: f.replace("_and_", " + "),
        )
        rotation = c2.slider(
            "Rotation (share of a turn)", 0.0, 0.25, step=0.01, key="train_rotation"
        )
        shift = c3.slider("Shift", 0.0, 0.3, step=0.01, key="train_shift")
        zoom = c4.slider("Zoom", 0.0, 0.3, step=0.01, key="train_zoom")
        contrast = c5.slider("Contrast", 0.0, 0.5, step=0.05, key="train_contrast")
        aug = Augmentation(flip, rotation, shift, zoom, contrast)
        if aug.active:
            idx = np.arange(min(8, len(ds.x_train)))
            originals = ds.x_train[idx]
            st.caption("Top row: originals. Below: what training might see instead.")
            st.image(list(enlarge(originals, 64)), width=64)
            for seed in (1, 2):
                st.image(list(enlarge(aug.apply(originals, seed=seed), 64)), width=64)
        else:
            st.caption("Random flips, turns, shifts, zooms and contrast changes make the "
                       "network see a slightly different image every epoch: more robust, "
                       "less overfitting, slower to learn.")  # fmt: skip
    return aug


def config_from_state(architecture, hyper: dict, aug: Augmentation) -> TrainingConfig | None:
    """Assemble and check the config; shows the problem and returns None when invalid."""
    try:
        cfg = TrainingConfig(architecture=architecture, augmentation=aug, **hyper)
        cfg.validate()
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
    return cfg
