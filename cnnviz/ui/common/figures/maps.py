"""Plotly figures for images, kernels and filter responses, sized for a page.

Large images are sent light: a float response becomes 256 colour levels (one byte per pixel)
with a colour bar labelled in the real values, and RGB pictures travel as JPEG. Small
matrices (kernels, patches) keep their exact values for hovering and can show them as text.
Row 0 is at the top, as in an image, and pixels are square.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import cv2
import numpy as np
import plotly.graph_objects as go

from cnnviz.ui.common.figures.layout import (
    DIVERGING,
    LEVELS,
    MARGIN,
    ROBUST_PERCENTILE,
    SEQUENTIAL,
    image_layout,
    quantize,
    rect_shape,
    short_number,
)


def value_range(
    values: np.ndarray, *, symmetric: bool, percentile: float = 100.0
) -> tuple[float, float]:
    """(low, high) for a colour scale; symmetric ranges are ±max|v| so 0 sits in the middle.

    Args:
        values: any array (NaN and inf are ignored).
        symmetric: centre the range on 0.
        percentile: take the top of the range (of |v| when symmetric) at this percentile
            instead of the maximum, so that a few outliers do not wash out the rest;
            100 = exact extremes. The low end of a non-symmetric range is always the minimum.

    Returns:
        A non-empty range (a constant image gets ±1 or value ± 1).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if symmetric:
        magnitude = np.abs(finite)
        top = float(np.percentile(magnitude, percentile)) if percentile < 100 else 0.0
        top = top if top > 0 else float(magnitude.max())
        return (-top, top) if top > 0 else (-1.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    if percentile < 100:  # only the top is clipped: the low end is usually a meaningful 0
        top = float(np.percentile(finite, percentile))
        hi = top if top > lo else hi
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def response_figure(
    values: np.ndarray,
    title: str,
    *,
    diverging: bool = True,
    zrange: tuple[float, float] | None = None,
    colorscale: str | list | None = None,
    height: int = 420,
    colorbar: bool = True,
    mark: tuple[int, int] | None = None,
) -> go.Figure:
    """A (H, W) float map (a filter response, a gradient, an image) as a light heatmap.

    Args:
        values: (H, W) numbers.
        title: figure title.
        diverging: zero-centred red/blue scale (for signed responses) instead of gray.
        zrange: (low, high) of the colour scale; default: :func:`value_range` at the 99.5th
            percentile, so a few extreme pixels do not wash out the picture. Values outside
            are drawn with the end colours (the colour bar says so with ≤ and ≥).
        colorscale: override the colour scale (a plotly name or a list of stops).
        height: figure height in pixels.
        colorbar: show the colour bar (labelled in real values).
        mark: optional (row, col) to mark with an orange ×.

    Returns:
        A figure with one heatmap of 256 levels; hovering shows the row and column.
    """
    if zrange is None:
        zrange = value_range(values, symmetric=diverging, percentile=ROBUST_PERCENTILE)
    lo, hi = zrange
    ticks = np.linspace(0, LEVELS, 5)
    labels = [short_number(lo + (hi - lo) * t / LEVELS) for t in ticks]
    finite = values[np.isfinite(values)]
    if finite.size and float(finite.min()) < lo:
        labels[0] = "≤ " + labels[0]
    if finite.size and float(finite.max()) > hi:
        labels[-1] = "≥ " + labels[-1]
    heatmap = go.Heatmap(
        z=quantize(values, lo, hi),
        zmin=0,
        zmax=LEVELS,
        colorscale=colorscale or (DIVERGING if diverging else SEQUENTIAL),
        showscale=colorbar,
        colorbar={
            "tickvals": ticks.tolist(),
            "ticktext": labels,
            "thickness": 12,
        },
        hovertemplate="row %{y}, col %{x}<extra></extra>",
    )
    data = [heatmap] if mark is None else [heatmap, mark_trace(mark)]
    return go.Figure(data=data, layout=image_layout(title, height))


def mark_trace(mark: tuple[int, int]) -> go.Scatter:
    """An orange cross on the cell ``(row, col)`` of a map (the pixel a step is at)."""
    return go.Scatter(
        x=[mark[1]],
        y=[mark[0]],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        marker={"color": "#fd8d3c", "size": 14, "symbol": "x"},
    )


def rgb_figure(rgb: np.ndarray, title: str, *, height: int = 420) -> go.Figure:
    """An (H, W, 3) uint8 RGB picture; hovering shows the row and column.

    Sent as an embedded JPEG (quality 90) when it has more than 64×64 pixels — twenty times
    faster to encode than PNG and about five times smaller — and as lossless PNG otherwise.
    """
    image = go.Image(source=image_source(rgb), hovertemplate="row %{y}, col %{x}<extra></extra>")
    return go.Figure(data=[image], layout=image_layout(title, height))


def image_source(rgb: np.ndarray) -> str:
    """An (H, W, 3) uint8 RGB picture as a ``data:`` URI.

    JPEG (quality 90) above 64×64 pixels, lossless PNG otherwise (see :func:`rgb_figure`).
    """
    bgr = cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2BGR)
    if bgr.shape[0] * bgr.shape[1] > 64 * 64:
        mime, (ok, encoded) = "jpeg", cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    else:
        mime, (ok, encoded) = "png", cv2.imencode(".png", bgr)
    if not ok:  # pragma: no cover - OpenCV always encodes uint8 images
        raise RuntimeError("image encoding failed")
    return f"data:image/{mime};base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


def matrix_figure(
    values: np.ndarray,
    title: str,
    *,
    annotate: bool | None = None,
    diverging: bool = True,
    zrange: tuple[float, float] | None = None,
    highlight: np.ndarray | None = None,
    box: tuple[int, int, int, int] | None = None,
    height: int = 300,
    decimals: int = 2,
) -> go.Figure:
    """A small matrix (kernel, patch, product) with its exact values.

    Args:
        values: (h, w) numbers, typically at most 15×15 (kernels up to 61×61 work).
        title: figure title.
        annotate: write each value in its cell; default: when the matrix is at most 9×9.
        diverging: zero-centred red/blue scale (kernels) instead of gray (pixel values).
        zrange: colour range; default: :func:`value_range`.
        highlight: optional (h, w) bool mask of cells to mark with a dotted border
            (e.g. cells that fall in the padding).
        box: optional (top, left, bottom, right) cell indices (inclusive) to outline.
        height: figure height in pixels.
        decimals: digits after the point in the annotations.

    Returns:
        A figure with one heatmap; hovering shows row, column and value.
    """
    values = np.asarray(values, dtype=np.float64)
    lo, hi = zrange if zrange is not None else value_range(values, symmetric=diverging)
    if annotate is None:
        annotate = max(values.shape) <= 9
    heatmap = go.Heatmap(
        z=values,
        zmin=lo,
        zmax=hi,
        colorscale=DIVERGING if diverging else SEQUENTIAL,
        showscale=False,
        texttemplate=f"%{{z:.{decimals}f}}" if annotate else None,
        textfont={"size": 11},
        hovertemplate="row %{y}, col %{x}: %{z:.4g}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    shapes = []
    if highlight is not None:
        shapes += [
            rect_shape(c - 0.5, r - 0.5, c + 0.5, r + 0.5, "#888", dash="dot")
            for r, c in zip(*np.nonzero(highlight), strict=True)
        ]
    if box is not None:
        top, left, bottom, right = box
        shapes.append(rect_shape(left - 0.5, top - 0.5, right + 0.5, bottom + 0.5, "#fd8d3c", 3))
    layout = image_layout(title, height)
    layout["shapes"] = shapes
    return go.Figure(data=[heatmap], layout=layout)


def grid_figure(
    maps: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    columns: int,
    diverging: bool,
    shared_range: tuple[float, float] | None = None,
    robust: bool = False,
    cell_height: int = 170,
) -> go.Figure:
    """Many small maps in a grid (kernels of a bank, or their responses).

    Args:
        maps: (h, w) arrays; each gets its own colour range unless ``shared_range`` is given.
        titles: one caption per map.
        columns: maps per row.
        diverging: red/blue around zero instead of gray.
        shared_range: one (low, high) for all maps, so strengths can be compared.
        robust: per-map ranges from the 99.5th percentile instead of the extremes.
        cell_height: height of one grid row in pixels.

    Returns:
        One figure with a heatmap per map (256 levels each), no colour bars.
    """
    rows = max(1, -(-len(maps) // columns))
    gap_x, gap_y = 0.02, 0.08 / rows
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1)) / rows
    colorscale = DIVERGING if diverging else SEQUENTIAL
    axis_style = {"showticklabels": False, "showgrid": False, "zeroline": False}
    data, annotations = [], []
    layout: dict = {"height": cell_height * rows + 40, "margin": MARGIN}
    for i, values in enumerate(maps):
        row, col = divmod(i, columns)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        percentile = ROBUST_PERCENTILE if robust else 100.0
        lo, hi = shared_range or value_range(values, symmetric=diverging, percentile=percentile)
        data.append(
            go.Heatmap(
                z=quantize(values, lo, hi),
                zmin=0,
                zmax=LEVELS,
                colorscale=colorscale,
                showscale=False,
                hoverinfo="skip",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
            )
        )
        layout[f"xaxis{suffix}"] = {
            **axis_style,
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            "constrain": "domain",
        }
        layout[f"yaxis{suffix}"] = {
            **axis_style,
            "domain": [y1 - height * 0.88, y1 - height * 0.12],
            "anchor": f"x{suffix}",
            "autorange": "reversed",
            "scaleanchor": f"x{suffix}",
            "constrain": "domain",
        }
        annotations.append(
            {
                "text": titles[i] if i < len(titles) else "",
                "x": x0 + width / 2,
                "y": y1 - height * 0.1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    layout["annotations"] = annotations
    return go.Figure(data=data, layout=layout)
