"""Cached computations and figures shared by the inspection pages.

Activations, heatmaps and filter galleries are pure functions of (model, image, settings), so
they are cached on a model key (:func:`cnnviz.ui.model_picker.model_key`) and an image digest
(:func:`cnnviz.ui.image_source.image_digest`); the model and the image themselves are passed
as underscore arguments, which Streamlit does not hash.

* All layers' activations for one image come from ONE forward pass and are kept (read-only)
  with ``st.cache_resource``, a few images at a time; per-layer pictures and tables derived
  from them are small and use ``st.cache_data``.
* Heatmaps use ``st.cache_data``.
* Filter-visualization galleries are kept in one server-wide LRU (:class:`GalleryCache`):
  they take seconds to minutes and the same defaults are asked for by a whole classroom.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import cv2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cnnviz import activations, attribution, modelutils
from cnnviz.imagemodel import ImageModel
from cnnviz.ui import figures
from cnnviz.ui.text import plain_html

_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}

# ---------------------------------------------------------------------------------------------
# Display helpers (numpy, no Streamlit)
# ---------------------------------------------------------------------------------------------


def enlarge(image: np.ndarray, min_side: int = 224) -> tuple[np.ndarray, int]:
    """Blow up a small image by a whole factor with nearest-neighbour pixels (no blur).

    Args:
        image: (h, w, 3) or (h, w) array.
        min_side: the shorter side reaches at least this many pixels.

    Returns:
        ``(image, factor)``: the enlarged copy (or the image unchanged, factor 1).
    """
    h, w = image.shape[:2]
    factor = max(1, -(-int(min_side) // max(1, min(h, w))))
    if factor == 1:
        return image, 1
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1), factor


def draw_box(
    image: np.ndarray,
    box: Sequence[int],
    *,
    scale: float = 1.0,
    color: tuple[int, int, int] = (0, 255, 0),
) -> np.ndarray:
    """A copy of an RGB image with a rectangle drawn on it.

    Args:
        image: (H, W, 3) uint8.
        box: ``(x0, y0, x1, y1)`` in the original image's pixels, the object covering
            ``[y0:y1, x0:x1]``.
        scale: factor from the box's pixels to ``image`` pixels.
        color: RGB colour of the outline.

    Returns:
        (H, W, 3) uint8 copy.
    """
    out = np.ascontiguousarray(image).copy()
    x0, y0, x1, y1 = (round(float(v) * scale) for v in box)
    thickness = max(1, round(min(out.shape[:2]) / 160))
    cv2.rectangle(out, (x0, y0), (max(x0, x1 - 1), max(y0, y1 - 1)), color, thickness)
    return out


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner="Running the image through every layer…")
def all_activations(
    model_key: str, digest: str, _model: ImageModel, _image: np.ndarray
) -> dict[str, np.ndarray]:
    """Every layer's output for one image from one forward pass (read-only arrays).

    Args:
        model_key: names the model (cache key).
        digest: names the image (cache key).
        _model: the model.
        _image: (H, W, 3) uint8 RGB.

    Returns:
        ``{layer key: (H, W, C) or (C,) float32}``, batch axis removed.
    """
    acts = activations.layer_activations(_model, _image)
    out = {}
    for name, value in acts.items():
        arr = np.asarray(value[0], dtype=np.float32)
        arr.setflags(write=False)  # shared between sessions
        out[name] = arr
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(model_key: str, digest: str, _model: ImageModel, _image: np.ndarray):
    """One row per layer: type, output shape, parameters, mean activation, channels at zero.

    Columns: ``layer, type, output, params, mean`` (mean activation over the image) and
    ``at zero`` ("k of C" channels that are zero everywhere).

    Returns:
        A ``pandas.DataFrame``.
    """
    acts = all_activations(model_key, digest, _model, _image)
    rows = []
    for i, info in enumerate(modelutils.layer_infos(_model)):
        act = acts.get(info.name)
        stats = None
        if act is not None and act.ndim in (1, 3):
            stats = activations.channel_stats(act)
        rows.append(
            {
                "#": i,
                "layer": info.name,
                "type": info.class_name,
                "output": "×".join("?" if d is None else str(d) for d in info.output_shape),
                "params": info.params,
                "mean": None if stats is None else float(stats.mean.mean()),
                "at zero": None if stats is None else f"{stats.dead_count} of {stats.channels}",
            }
        )
    return pd.DataFrame(rows).set_index("#")


@st.cache_data(max_entries=32, show_spinner=False)
def layer_grid(
    model_key: str,
    digest: str,
    layer: str,
    channels: tuple[int, ...],
    scale: str,
    _model: ImageModel,
    _image: np.ndarray,
) -> activations.ChannelGrid:
    """The channel mosaic of one layer for one image (see :func:`activations.channel_grid`)."""
    act = all_activations(model_key, digest, _model, _image)[layer]
    return activations.channel_grid(act, channels=list(channels), scale=scale)


@st.cache_data(max_entries=32, show_spinner=False)
def layer_stats(
    model_key: str, digest: str, layer: str, _model: ImageModel, _image: np.ndarray
) -> activations.ChannelStats:
    """Per-channel mean, max and dead channels of one layer for one image."""
    return activations.channel_stats(all_activations(model_key, digest, _model, _image)[layer])


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
        grid: from :func:`layer_grid`; values in [0, 1], NaN gaps left blank.
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


# ---------------------------------------------------------------------------------------------
# Predictions and heatmaps
# ---------------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def probabilities(model_key: str, digest: str, _model: ImageModel, _image: np.ndarray):
    """(classes,) float32 probabilities of one image."""
    return np.asarray(_model.predict_proba(_image)[0], dtype=np.float32)


@st.cache_data(max_entries=64, show_spinner=False)
def heatmap(
    model_key: str,
    digest: str,
    method: str,
    class_index: int | None,
    layer: str | None,
    _model: ImageModel,
    _image: np.ndarray,
) -> attribution.Attribution:
    """One image's attribution map for a class (see :func:`attribution.attribute`)."""
    kwargs = {"layer_name": layer} if attribution.METHODS[method].uses_layer else {}
    return attribution.attribute(method, _model, _image, class_index, **kwargs)


# ---------------------------------------------------------------------------------------------
# Filter-visualization galleries
# ---------------------------------------------------------------------------------------------


class GalleryCache:
    """A thread-safe LRU of finished galleries, shared by every session of the server.

    Args:
        maxsize: galleries kept.
    """

    def __init__(self, maxsize: int = 48) -> None:
        self._data: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize

    def get(self, key: tuple) -> np.ndarray | None:
        """The gallery stored under ``key``, or ``None``."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: tuple, images: np.ndarray) -> None:
        """Keep ``images`` (made read-only) under ``key``."""
        images = np.asarray(images)
        images.setflags(write=False)
        with self._lock:
            self._data[key] = images
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)


@st.cache_resource
def gallery_cache() -> GalleryCache:
    """The server's gallery cache."""
    return GalleryCache()


def top_k_figure(
    probs: np.ndarray,
    class_names: Sequence[str],
    *,
    k: int = 5,
    highlight: int | None = None,
    height: int = 220,
) -> go.Figure:
    """Horizontal bars of the k most probable classes, best on top, in percent.

    Args:
        probs: (classes,) probabilities.
        class_names: one name per class.
        k: bars shown.
        highlight: a class index drawn in a darker colour (the class being explained).
        height: figure height in pixels.
    """
    probs = np.asarray(probs, dtype=np.float64)
    order = np.argsort(probs)[::-1][: max(1, min(int(k), len(probs)))]  # best first
    names = [plain_html(class_names[i]) if i < len(class_names) else str(i) for i in order]
    return figures.probability_bars(
        names,
        probs[order],
        [i == highlight for i in order],
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
    )
