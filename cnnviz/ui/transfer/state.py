"""The Transfer learning page's keys, and its settings kept between visits."""

from __future__ import annotations

import streamlit as st

from cnnviz import transfer
from cnnviz.ui.common import dataset_options, kept_settings

PREFIX = "transfer"
PAGE = "pages/transfer.py"


def key_of(name: str) -> str:
    """The session-state key of one of the page's widgets: ``transfer_<name>``."""
    return f"{PREFIX}_{name}"


# Widget values kept while the student visits other pages (Streamlit forgets the state of
# widgets that a run did not draw).
PERSISTENT = (
    "dataset", "zip_size", "base", "mode", "epochs", "lr", "batch", "optimizer", "schedule",
    "units", "dropout", "pooling", "input_size", "cut_layer", "preprocessing", "depth",
    "trainable_bn", "head_first", "head_epochs", "start_from",
    # the Train page's augmentation section, with this page's prefix
    "flip", "rotation_deg", "width_shift", "height_shift", "shear_deg", "zoom", "contrast",
    "fill_mode",
)  # fmt: skip
_SAVED = key_of("saved_settings")


def kept_keys() -> list[str]:
    """Session keys kept: the page's own and every dataset option (from the specs)."""
    return [key_of(k) for k in PERSISTENT] + list(dataset_options.kept_keys(PREFIX))


def restore_settings() -> None:
    """Bring back the settings of earlier visits (first thing on the page; see kept_settings).

    A first visit opens on :data:`cnnviz.transfer.DEFAULT_DATASET`.
    """
    kept_settings.restore(kept_keys(), _SAVED)
    st.session_state.setdefault(f"{PREFIX}_dataset", transfer.DEFAULT_DATASET)


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    kept_settings.remember(kept_keys(), _SAVED)
