"""Streamlit helpers for the pretrained models: cached loading with progress, and figures.

Models are built once per server (``st.cache_resource``) and shared by every session, so they
are never changed here. Downloads of ``keras.applications`` weights show a status box with a
progress bar; problems reach the caller as :class:`~cnnviz.errors.InputError`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.ui import figures
from cnnviz.ui.busy import busy_sign

_MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_model(name: str) -> pretrained.PretrainedModel:
    """The model called ``name``, built once per server and shared (never mutate it)."""
    return pretrained.load(name)


def model_label(name: str) -> str:
    """How a model is listed in a picker: title, and whether it works offline."""
    entry = pretrained.info(name)
    if entry.bundled:
        return f"{entry.title} · bundled, works offline"
    if pretrained.is_cached(name):
        return f"{entry.title} · weights cached"
    return f"{entry.title} · downloads ~{entry.download_mb:g} MB on first use"


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


def top_k_figure(prediction: pretrained.Prediction, height: int = 230) -> go.Figure:
    """Horizontal bars of the top-k classes, best at the top, probabilities in percent."""
    names = [name for _, name, _ in prediction.top]
    probs = [p for _, _, p in prediction.top]
    best = [i == 0 for i in range(len(names))]  # prediction.top is best first
    return figures.probability_bars(names, probs, best, height=height, margin=_MARGIN)


def agreement_figure(summary: pretrained.Agreement, max_classes: int = 12) -> go.Figure:
    """Models × classes heatmap: each model's probability for every class in some top-k.

    Blank cells: the class is not in that model's top-k. Classes are ordered by how many
    models list them.
    """
    classes = [name for _, name in summary.classes[:max_classes]]
    z = 100 * summary.probabilities[:, :max_classes]
    text = [[_percent_label(v) for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=classes,
            y=summary.models,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": "%"},
            hovertemplate="%{y} · %{x}: %{z:.1f}%<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        height=120 + 40 * len(summary.models),
        margin={**_MARGIN, "b": 10},
        xaxis={"side": "top", "tickangle": -30},
        yaxis={"autorange": "reversed"},
    )
    return fig


def _percent_label(value: float) -> str:
    """Cell text: blank for NaN (not in that top-k), "<1%" for tiny values, else whole percent."""
    if np.isnan(value):
        return ""
    return "<1%" if value < 1 else f"{value:.0f}%"
