"""Loading the pretrained models for a page: cached, with download progress.

Models are built once per server (``st.cache_resource``) and shared by every session, so they
are never changed here. Downloads of ``keras.applications`` weights show a status box with a
progress bar; problems reach the caller as :class:`~cnnviz.errors.InputError`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.ui.common.busy import busy_sign


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_model(name: str) -> pretrained.PretrainedModel:
    """The model called ``name``, built once per server and shared (never mutate it)."""
    return pretrained.load(name)


def model_label(name: str) -> str:
    """How a model is listed in a picker: title, and whether it can run without a download."""
    entry = pretrained.info(name)
    if entry.bundled:
        return f"{entry.title} · bundled, works offline"
    if pretrained.is_cached(name):
        return f"{entry.title} · weights cached"
    return f"{entry.title} · weights not downloaded ({entry.download_mb:g} MB)"


def load_model(name: str) -> pretrained.PretrainedModel:
    """Load a model for a page, with a download status box or a spinner while it builds.

    Raises:
        InputError: the weights could not be downloaded (the message says which file to place
            in which folder) or the name is unknown.
    """
    entry = pretrained.info(name)
    if not pretrained.is_cached(name):
        _download_with_status(entry)
    if pretrained.is_loaded(name):
        return cached_model(name)
    with busy_sign(f"Building {entry.title}… (once per server)"):
        return cached_model(name)


def _download_with_status(entry: pretrained.ModelInfo) -> None:
    label = f"Downloading {entry.title} weights (~{entry.download_mb:g} MB)…"
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Connecting…")

        def progress(fraction: float | None, message: str) -> None:
            # The one progress signature of cnnviz.downloads; no size known: an empty bar.
            bar.progress(min(fraction or 0.0, 1.0), text=message)

        try:
            pretrained.download_weights(entry.name, progress)
        except InputError:
            status.update(label=f"{entry.title}: download failed", state="error", expanded=False)
            raise
        status.update(label=f"{entry.title} weights downloaded", state="complete", expanded=False)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_prediction(name: str, image: np.ndarray, k: int = 5) -> pretrained.Prediction:
    """Top-k prediction of model ``name`` for ``image``, cached on (name, image pixels, k)."""
    return pretrained.predict(cached_model(name), image, k)
