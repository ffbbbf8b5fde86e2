"""Train-page state shared by its sections: constants, kept settings, helpers."""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from cnnviz import datasets
from cnnviz.models import preprocessing
from cnnviz.store import ModelStore
from cnnviz.training import config as training_config
from cnnviz.ui.common import dataset_options, kept_settings
from cnnviz.ui.common.queue_place import QUEUE_POLL_SECONDS

JOB_KEY = "train_job_id"
# Set by a class link with simple=1: the advanced settings are hidden (their values kept).
SIMPLE_KEY = "train_simple"
ZIP_CHOICE = "__zip__"
POLL_SECONDS = 1.0  # progress of a running job
POLL_QUEUED_SECONDS = QUEUE_POLL_SECONDS  # place of a queued job (as the sidebar reads it)
BATCH_SIZES = list(training_config.BATCH_SIZES)
LEARNING_RATES = list(training_config.LEARNING_RATES)
WEIGHT_DECAYS = [0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2]
PREPROCESSINGS = {
    "unit": ("0..1 (pixels / 255)", preprocessing.unit),
    "tf": ("-1..1 (MobileNet, Inception)", preprocessing.tf_mode),
    "torch": ("ImageNet mean/std (PyTorch style)", preprocessing.torch_mode),
    "caffe": ("BGR minus ImageNet means (VGG, ResNet)", preprocessing.caffe_mode),
    "raw": ("0..255 unchanged", preprocessing.raw),
}
SPEC_COLUMNS = [
    "type",
    "filters",
    "kernel",
    "stride",
    "padding",
    "activation",
    "rate",
    "units",
    "l1",
    "l2",
]


# Widget values worth keeping while the student visits other pages (Streamlit forgets the
# state of widgets that a run did not draw).
# The dataset options come from the datasets' specs, so every dataset's are kept.
PERSISTENT_KEYS = (
    "train_dataset",
    *dataset_options.kept_keys("train"),
    "train_arch",
    "train_custom",
    "train_epochs",
    "train_batch",
    "train_lr",
    "train_optimizer",
    "train_schedule",
    "train_val",
    "train_val_on_test",
    "train_dropout_on",
    "train_dropout",
    "train_patience",
    "train_seed",
    "train_l2",
    "train_first_layer",
    "train_flip",
    "train_rotation_deg",
    "train_width_shift",
    "train_height_shift",
    "train_shear_deg",
    "train_zoom",
    "train_contrast",
    "train_fill_mode",
    "train_aug_image",
    "train_smoothing",
    "train_cm_normalize",
    # Not a widget: the dataset whose tuned defaults the settings above started from, so a
    # reload does not reset them to the defaults again.
    "train_defaults_for",
)
_SAVED_KEY = "train_saved_settings"


def restore_settings() -> None:
    """Bring back the settings of earlier runs (call first thing on the page).

    See :mod:`cnnviz.ui.common.kept_settings`; the layer table's last edit comes back too.
    """
    kept_settings.restore(PERSISTENT_KEYS, _SAVED_KEY)
    state = st.session_state
    if "train_spec_editor" not in state and "train_spec_saved" in state:
        state["train_spec_base"] = state["train_spec_saved"]


def remember_settings() -> None:
    """Keep the current settings for later runs (call last thing on the page)."""
    kept_settings.remember(PERSISTENT_KEYS, _SAVED_KEY)


def model_store() -> ModelStore:
    """The server's model store (read at call time, so ``CNNVIZ_HOME`` may change)."""
    return ModelStore()


def enlarge(images: np.ndarray, side: int = 64) -> np.ndarray:
    """Nearest-neighbour enlargement so small images stay crisp on screen.

    Args:
        images: (N, H, W, C) uint8, C = 1 or 3.
        side: target height in pixels (images already this large are kept).

    Returns:
        (N, h, w, 3) uint8.
    """
    rgb = datasets.to_rgb(images)
    if len(rgb) == 0 or rgb.shape[1] >= side:
        return rgb
    factor = max(1, round(side / rgb.shape[1]))
    return np.stack(
        [
            cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
            for img in rgb
        ]
    )


def widget_default(key: str, value) -> str:
    """Give a widget its first value through session state; returns the key.

    Widgets then get no ``value=``, so a value restored from an earlier visit never clashes
    with a default.
    """
    st.session_state.setdefault(key, value)
    return key
