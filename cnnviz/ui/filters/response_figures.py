"""Light figures for the Filters page: filter responses as colour-mapped JPEG pictures.

A slider move on the Filters page redraws a whole-image response. As a plotly heatmap that
is 200 KB of JSON, and building and validating it is most of the page's own server time.
Here the response is colour-mapped in numpy (a 256-entry lookup table of the same colour
scale), encoded once as a JPEG and sent inside a plotly ``Image`` trace: zoom and the
row/column hover stay, the colour bar is kept by a hidden one-cell heatmap, and the payload
is a few tens of KB. :func:`overlay` puts a response over the photo (dimmed beneath), so a
student sees which edges fire.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import cv2
import numpy as np
import plotly.colors
import plotly.graph_objects as go

from cnnviz.ui.common import figures
from cnnviz.ui.common.figures.layout import image_layout, short_number

#: Colour of a strong unsigned response drawn over a photo.
HOT = np.array([255, 120, 0], np.float32)


@cache
def _lut(diverging: bool) -> np.ndarray:
    """(256, 3) uint8 colours of the page's diverging (RdBu_r) or gray scale."""
    if not diverging:
        ramp = np.arange(256, dtype=np.uint8)
        return np.stack([ramp] * 3, axis=1)
    colours = plotly.colors.sample_colorscale(figures.DIVERGING, np.linspace(0, 1, 256).tolist())
    rgb = [plotly.colors.unlabel_rgb(c) for c in colours]
    return np.rint(np.array(rgb, np.float64)).clip(0, 255).astype(np.uint8)


def colorize(
    values: np.ndarray, zrange: tuple[float, float], *, diverging: bool = True
) -> np.ndarray:
    """Colour-map a response.

    Args:
        values: (H, W) numbers (NaN is drawn as the low end).
        zrange: (low, high) mapped to the ends of the scale; values outside are clipped.
        diverging: red (positive) / white (0) / blue (negative) instead of black → white.

    Returns:
        (H, W, 3) uint8 RGB.
    """
    lo, hi = zrange
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    src = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=lo, posinf=hi, neginf=lo)
    # Clip to the range, then one fused scale-and-round to 0..255 in OpenCV.
    levels = cv2.convertScaleAbs(np.clip(src, lo, hi), alpha=scale, beta=-lo * scale)
    return cv2.LUT(cv2.merge([levels, levels, levels]), _lut(diverging)[:, None, :])


def overlay(
    gray: np.ndarray,
    values: np.ndarray,
    zrange: tuple[float, float],
    *,
    diverging: bool = True,
    dim: float = 0.45,
) -> np.ndarray:
    """A response drawn over the photo it came from.

    The photo is washed out towards white (keeping ``dim`` of its contrast), and every pixel
    takes the response's colour in proportion to its strength: where the kernel does not
    respond the photo shows through, where it fires the colour covers it.

    Args:
        gray: (H, W) photo, uint8 or float 0..255.
        values: (H, W) response with the photo's shape.
        zrange: colour range; for a diverging map ±top, for an unsigned one (0, top).
        diverging: signed response (red positive, blue negative) or an unsigned strength
            (orange, e.g. a magnitude).
        dim: share of the photo's contrast kept beneath, in [0, 1].

    Returns:
        (H, W, 3) uint8 RGB.
    """
    if gray.shape != values.shape:
        raise ValueError(f"photo {gray.shape} and response {values.shape} differ in shape")
    base = 255.0 - (255.0 - np.asarray(gray, np.float32)) * float(np.clip(dim, 0, 1))
    lo, hi = zrange
    top = max(abs(lo), abs(hi)) if diverging else hi
    strength = np.abs(np.nan_to_num(np.asarray(values, np.float32))) / top if top > 0 else 0
    alpha = np.clip(strength, 0, 1)[..., None] ** 0.8
    if diverging:
        # Full-strength colour of each sign, so weak responses are light but never gray.
        colour = np.where(np.asarray(values)[..., None] >= 0, _lut(True)[-1], _lut(True)[0]).astype(
            np.float32
        )
    else:
        colour = HOT
    out = base[..., None] * (1 - alpha) + colour * alpha
    return np.rint(out).clip(0, 255).astype(np.uint8)


def response_image(
    values: np.ndarray,
    title: str,
    *,
    diverging: bool = True,
    zrange: tuple[float, float] | None = None,
    under: np.ndarray | None = None,
    height: int = 420,
    colorbar: bool = True,
    mark: tuple[int, int] | None = None,
) -> go.Figure:
    """:func:`cnnviz.ui.common.figures.response_figure`, sent as a picture instead of a heatmap.

    Args:
        values: (H, W) response.
        title: figure title.
        diverging: zero-centred red/blue scale instead of gray.
        zrange: colour range; default as ``response_figure`` (99.5th percentile).
        under: optional (H, W) photo to draw the response over (see :func:`overlay`).
        height: figure height in pixels.
        colorbar: show a colour bar labelled in the response's values.
        mark: optional (row, col) to mark with an orange ×.

    Returns:
        A figure with one JPEG ``Image`` trace (plus the colour bar's hidden cell and the
        mark); hovering shows the row and column.
    """
    if zrange is None:
        # The percentile of every other row and column: the same range, a quarter the work.
        zrange = figures.value_range(
            values[::2, ::2], symmetric=diverging, percentile=figures.ROBUST_PERCENTILE
        )
    if under is not None:
        rgb = overlay(under, values, zrange, diverging=diverging)
    else:
        rgb = colorize(values, zrange, diverging=diverging)
    traces: list = [
        go.Image(
            source=figures.image_source(rgb), hovertemplate="row %{y}, col %{x}<extra></extra>"
        )
    ]
    if colorbar:
        lo, hi = zrange
        ticks = np.linspace(lo, hi, 5)
        # A one-cell heatmap, fully transparent, that exists only to carry the colour bar.
        traces.append(
            go.Heatmap(
                z=[[lo, hi]],
                x=[0, 1],
                y=[0, 0],
                zmin=lo,
                zmax=hi,
                opacity=0,
                hoverinfo="skip",
                colorscale=figures.DIVERGING if diverging else figures.SEQUENTIAL,
                colorbar={
                    "tickvals": ticks.tolist(),
                    "ticktext": [short_number(t) for t in ticks],
                    "thickness": 12,
                },
            )
        )
    if mark is not None:
        traces.append(figures.mark_trace(mark))
    return go.Figure(data=traces, layout=image_layout(title, height))


def mosaic(
    tiles: Sequence[np.ndarray], columns: int, *, gap: int = 6
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tile equally sized RGB pictures into one, row by row, on white.

    Args:
        tiles: (h, w, 3) uint8 pictures, all of one shape.
        columns: tiles per row, ≥ 1.
        gap: white pixels between tiles.

    Returns:
        ``(picture, centres)``: the (H, W, 3) uint8 mosaic and the (x, y) of each tile's
        top-centre, for captions.
    """
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), 255, np.uint8)
    centres = []
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        y, x = r * (h + gap), c * (w + gap)
        out[y : y + h, x : x + w] = tile
        centres.append((x + w // 2, y))
    return out, centres


def mosaic_figure(
    tiles: Sequence[np.ndarray], titles: Sequence[str], *, columns: int, cell_height: int = 170
) -> go.Figure:
    """Many pictures of one size in one JPEG, each with its caption above it.

    Args:
        tiles: (h, w, 3) uint8 pictures of one shape.
        titles: one caption per tile.
        columns: tiles per row.
        cell_height: height of one row of the grid in pixels (caption included).

    Returns:
        A figure with one ``Image`` trace and the captions as annotations.
    """
    gap = max(6, tiles[0].shape[0] // 8)
    picture, centres = mosaic(tiles, columns, gap=gap)
    rows = -(-len(tiles) // columns)
    fig = figures.rgb_figure(picture, "", height=cell_height * rows + 30)
    fig.update_traces(hoverinfo="skip", hovertemplate=None)
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 24, "b": 4},
        title=None,
        annotations=[
            {
                "text": title,
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
            for title, (x, y) in zip(titles, centres, strict=False)
        ],
    )
    return fig
