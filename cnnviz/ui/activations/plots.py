"""Figures of the Activations page: channel mosaics, one map, per-channel bars, kernels."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz import activations
from cnnviz.ui.common.text import plain_html

_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def grid_figure(
    grid: activations.ChannelGrid,
    title: str,
    *,
    colorscale: str = "Viridis",
    width: int | None = None,
    dead: np.ndarray | None = None,
    labels: bool = True,
) -> go.Figure:
    """A channel mosaic as one heatmap; hovering names the channel under the cursor.

    Args:
        grid: from :func:`cnnviz.ui.activations.layer_grid`; values in [0, 1], NaN gaps left blank.
        title: figure title.
        colorscale: plotly colour scale.
        width: pixels the figure will be shown at (the height follows the mosaic's shape).
        dead: (C,) bool over ALL channels of the layer: labels of channels that stay at
            zero are drawn in red.
        labels: write each tile's channel number in its corner (at most 128 tiles).
    """
    h, w = grid.tile
    rows, cols = grid.image.shape
    channel_map = np.full(grid.image.shape, -1, np.int32)
    for k, channel in enumerate(grid.channels):
        r, q = divmod(k, grid.columns)
        y, x = r * (h + grid.pad), q * (w + grid.pad)
        channel_map[y : y + h, x : x + w] = channel
    heat = go.Heatmap(
        z=grid.image.astype(np.float32),
        customdata=channel_map,
        zmin=0.0,
        zmax=1.0,
        colorscale=colorscale,
        showscale=False,
        hovertemplate="channel %{customdata}<br>row %{y}, col %{x}<br>"
        "scaled value %{z:.2f}<extra></extra>",
    )
    annotations = []
    if labels and len(grid.channels) <= 128:
        for k, channel in enumerate(grid.channels):
            r, q = divmod(k, grid.columns)
            is_dead = dead is not None and channel < len(dead) and bool(dead[channel])
            annotations.append(
                {
                    "x": q * (w + grid.pad) - 0.5,
                    "y": r * (h + grid.pad) - 0.5,
                    "xanchor": "left",
                    "yanchor": "top",
                    "text": f"{channel}" + (" · zero" if is_dead else ""),
                    "showarrow": False,
                    "font": {"size": 10, "color": "#d62728" if is_dead else "#222"},
                    "bgcolor": "rgba(255,255,255,0.75)",
                    "borderpad": 1,
                }
            )
    width = width or 700
    height = int(min(1400, max(200, width * rows / max(cols, 1)))) + 40
    fig = go.Figure(heat)
    fig.update_layout(
        title={"text": plain_html(title), "font": {"size": 14}},
        annotations=annotations,
        height=height,
        margin=_MARGIN,
        plot_bgcolor="white",
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
    )
    return fig


def map_figure(
    values: np.ndarray, title: str, *, colorscale: str = "Viridis", height: int = 420
) -> go.Figure:
    """One (H, W) activation map at full size, coloured in its real values."""
    values = np.asarray(values, dtype=np.float32)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            colorscale=colorscale,
            colorbar={"thickness": 12, "title": {"text": "value"}},
            hovertemplate="row %{y}, col %{x}: %{z:.4g}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": plain_html(title), "font": {"size": 14}},
        height=height,
        margin=_MARGIN,
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
    )
    return fig


def stats_figure(stats: activations.ChannelStats, title: str, height: int = 260) -> go.Figure:
    """Bar per channel of its mean activation; channels that stay at zero are marked red."""
    idx = np.arange(stats.channels)
    colors = np.where(stats.dead, "#d62728", "#3b6fd8")
    fig = go.Figure(
        go.Bar(
            x=idx,
            y=stats.mean,
            marker_color=colors.tolist(),
            customdata=np.stack([stats.max, stats.dead.astype(int)], axis=1),
            hovertemplate="channel %{x}<br>mean %{y:.4g}<br>max %{customdata[0]:.4g}"
            "<extra></extra>",
        )
    )
    if stats.dead.any():
        fig.add_trace(
            go.Scatter(
                x=idx[stats.dead],
                y=np.zeros(int(stats.dead.sum())),
                mode="markers",
                marker={"symbol": "x", "color": "#d62728", "size": 8},
                name="stays at zero",
                hovertemplate="channel %{x} stays at zero<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": plain_html(title), "font": {"size": 14}},
        height=height,
        showlegend=False,
        margin={**_MARGIN, "b": 40},
        xaxis={"title": "channel"},
        yaxis={"title": "mean activation"},
        bargap=0.05,
    )
    return fig


def kernel_mosaic(kernels: activations.Kernels, cell: int = 28, max_kernels: int = 64):
    """First-layer kernels as one RGB mosaic, each kernel enlarged to ``cell`` pixels."""
    imgs = kernels.images[:max_kernels]
    k = imgs.shape[1]
    factor = max(1, cell // max(1, k))
    big = np.repeat(np.repeat(imgs, factor, axis=1), factor, axis=2)
    return activations.tile_images(big, pad=3)
