"""Train-page state shared by its sections: constants, kept settings, helpers."""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from cnnviz import datasets, preprocessing
from cnnviz.store import ModelStore

JOB_KEY = "train_job_id"
ZIP_CHOICE = "__zip__"
POLL_SECONDS = 1.0
BATCH_SIZES = [8, 16, 32, 64, 128, 256]
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 0.1]
PREPROCESSINGS = {
    "unit": ("0..1 (pixels / 255)", preprocessing.unit),
    "tf": ("-1..1 (MobileNet, Inception)", preprocessing.tf_mode),
    "torch": ("ImageNet mean/std (PyTorch style)", preprocessing.torch_mode),
    "caffe": ("BGR minus ImageNet means (VGG, ResNet)", preprocessing.caffe_mode),
    "raw": ("0..255 unchanged", preprocessing.raw),
}
SPEC_COLUMNS = ["type", "filters", "kernel", "stride", "padding", "activation", "rate", "units"]


# Widget values worth keeping while the student visits other pages (Streamlit forgets the
# state of widgets that a run did not draw).
PERSISTENT_KEYS = (
    "train_dataset",
    "train_opt_shapes_size",
    "train_opt_shapes_n",
    "train_opt_shapes_noise",
    "train_opt_digits_size",
    "train_opt_faces_size",
    "train_opt_mnist_n",
    "train_opt_fashion_mnist_n",
    "train_opt_cifar10_n",
    "train_arch",
    "train_custom",
    "train_epochs",
    "train_batch",
    "train_lr",
    "train_optimizer",
    "train_schedule",
    "train_val",
    "train_dropout_on",
    "train_dropout",
    "train_patience",
    "train_seed",
    "train_first_layer",
    "train_flip",
    "train_rotation",
    "train_shift",
    "train_zoom",
    "train_contrast",
    "train_smoothing",
    "train_cm_normalize",
)
_SAVED_KEY = "train_saved_settings"


def restore_settings() -> None:
    """Bring back the settings of the last visit (call first thing on the page)."""
    state = st.session_state
    for key, value in state.get(_SAVED_KEY, {}).items():
        if key not in state:
            state[key] = value
    if "train_spec_editor" not in state and "train_spec_saved" in state:
        state["train_spec_base"] = state["train_spec_saved"]


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    state = st.session_state
    state[_SAVED_KEY] = {k: state[k] for k in PERSISTENT_KEYS if k in state}


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


def _default(key: str, value) -> str:
    """Give a widget its first value through session state; returns the key.

    Widgets then get no ``value=``, so a value restored from an earlier visit never clashes
    with a default.
    """
    st.session_state.setdefault(key, value)
    return key
