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
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES, enlarge


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
    state["train_first_layer"] = cfg.first_layer
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
    first_layer = c3.selectbox(
        "First layer starts as",
        list(training.FIRST_LAYERS),
        key="train_first_layer",
        format_func=lambda f: {
            "random": "random weights",
            "gabor": "Gabor bank (trainable)",
            "gabor_frozen": "Gabor bank (frozen)",
        }[f],
        help="Start the first convolution as the lecture's Gabor filter bank, learning on "
        "from there or kept fixed; compare the run with a random start in Compare runs.",
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
        "first_layer": first_layer,
    }


def augmentation_ui(ds: datasets.Dataset) -> Augmentation:
    """Augmentation settings with a preview grid of augmented training images."""
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
        st.error(str(err), icon=":material/block:")
        return None
    return cfg
