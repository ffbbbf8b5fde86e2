"""Charts that are not pictures: sliding-window positions, probability bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from cnnviz.ui.common.figures.layout import MARGIN


def windows_figure(padded: int, f: int, p: int, starts: Sequence[int], title: str) -> go.Figure:
    """One row of a padded input with every position of a sliding window drawn under it.

    Args:
        padded: N + 2P cells.
        f: window size.
        p: padding cells on each side.
        starts: start cell of each window (from ``cnnviz.filters.window_starts``).
        title: figure title.

    Returns:
        A grid figure: the top row is the input (gray = padding, blue = input, red = never
        reached by any window); each row below is one window position (orange).
    """
    grid = np.full((len(starts) + 1, padded), np.nan)
    covered = np.zeros(padded, bool)
    for k, start in enumerate(starts):
        grid[k + 1, start : start + f] = 3
        covered[start : start + f] = True
    grid[0] = np.where(covered, 1, 2)
    grid[0, :p] = 0
    grid[0, padded - p :] = 0
    colors = ["#d9d9d9", "#9ecae1", "#f4a6a6", "#fd8d3c"]
    # A stepped scale: each of the four codes gets one flat colour.
    scale = [[edge, colors[i]] for i in range(4) for edge in (i / 4, (i + 1) / 4)]
    heatmap = go.Heatmap(
        z=grid,
        zmin=-0.5,
        zmax=3.5,
        colorscale=scale,
        showscale=False,
        xgap=2,
        ygap=3,
        hovertemplate="cell %{x}<extra></extra>",
    )
    layout = {
        "title": {"text": title, "font": {"size": 14}},
        "height": int(min(110 + 26 * (len(starts) + 1), 700)),
        "margin": MARGIN,
        "plot_bgcolor": "white",
        "xaxis": {"showgrid": False, "zeroline": False, "title": "cell of the padded input"},
        "yaxis": {
            "autorange": "reversed",
            "tickvals": [0, *range(1, len(starts) + 1)],
            "ticktext": ["input", *[f"pos {k}" for k in range(len(starts))]],
            "showgrid": False,
            "zeroline": False,
        },
    }
    return go.Figure(data=[heatmap], layout=layout)


def probability_bars(
    names: Sequence[str],
    probs: Sequence[float],
    highlight: Sequence[bool],
    *,
    height: int,
    margin: dict[str, int],
) -> go.Figure:
    """Horizontal bars of class probabilities in percent, the first class on top.

    Args:
        names: class names, best first (the order the bars are read in, top to bottom).
        probs: the classes' probabilities in [0, 1], in the same order.
        highlight: per class, whether its bar is drawn in the darker colour.
        height: figure height in pixels.
        margin: plotly layout margins (keys ``l``, ``r``, ``t``, ``b``).

    Returns:
        The figure; the x axis runs from 0 to 100 %.
    """
    names = [str(n) for n in names][::-1]  # plotly draws the first bar at the bottom
    percents = 100 * np.asarray(probs, dtype=np.float64)[::-1]
    colors = ["#2171b5" if h else "#9ecae1" for h in highlight][::-1]
    fig = go.Figure(
        go.Bar(
            x=percents,
            y=names,
            orientation="h",
            text=[f"{p:.1f}%" for p in percents],
            textposition="auto",
            marker_color=colors,
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin=margin,
        xaxis={"range": [0, 100], "title": "probability (%)"},
        # Category axis: digit class names ("0".."9") would otherwise read as numbers, and
        # plotly would label only every other bar.
        yaxis={"automargin": True, "type": "category"},
        showlegend=False,
    )
    return fig
