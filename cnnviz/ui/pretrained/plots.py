"""Figures of the Pretrained page: one model's top-k bars, and the models' agreement."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz import pretrained
from cnnviz.ui.common import figures

_MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}


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
