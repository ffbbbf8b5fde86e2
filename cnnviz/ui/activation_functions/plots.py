"""Figures of the Activation functions page: curves with their slopes, vanishing gradients."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz import activation_functions as af

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def colour(name: str) -> str:
    """A function's colour, the same in every figure (by its place in the registry)."""
    return PALETTE[list(af.FUNCTIONS).index(name) % len(PALETTE)]


def curves_figure(chosen: Sequence[str], slope: float) -> go.Figure:
    """f(x) and its slope f′(x) side by side, one line per chosen function."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("f(x)", "slope f′(x)"))
    for name in chosen:
        x, f, d = af.curves(name, slope=slope)
        title = af.FUNCTIONS[name].title
        line = {"color": colour(name)}
        fig.add_trace(go.Scatter(x=x, y=f, name=title, line=line, legendgroup=name), 1, 1)
        fig.add_trace(
            go.Scatter(x=x, y=d, name=title, line=line, legendgroup=name, showlegend=False), 1, 2
        )
    fig.update_yaxes(range=[-1.5, 3], row=1, col=1)
    fig.update_yaxes(range=[-0.1, 1.2], row=1, col=2)
    fig.update_xaxes(title_text="x")
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def vanishing_figure(chosen: Sequence[str], x0: float, layers: int, slope: float) -> go.Figure:
    """Share of the gradient left after each layer (log scale), one line per function."""
    depth = np.arange(1, layers + 1)
    fig = go.Figure()
    for name in chosen:
        fig.add_trace(
            go.Scatter(
                x=depth,
                y=af.gradient_by_depth(name, x0, layers, slope),
                mode="lines+markers",
                name=af.FUNCTIONS[name].title,
                line={"color": colour(name)},
            )
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"type": "log", "title": "share of the gradient left", "exponentformat": "power"},
        xaxis={"title": "layers passed back through"},
    )
    return fig
