"""Mosaics for one picture: channel maps side by side, and galleries of RGB images."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError


def grid_shape(count: int, columns: int | None = None) -> tuple[int, int]:
    """Rows and columns for ``count`` tiles: near-square (wider than tall) by default.

    Args:
        count: number of tiles, >= 1.
        columns: fixed number of columns (capped at ``count``), or ``None``.

    Returns:
        ``(rows, columns)`` with ``rows * columns >= count``.
    """
    if count < 1:
        raise InputError("There is nothing to lay out (0 tiles).")
    cols = math.ceil(math.sqrt(count)) if columns is None else max(1, min(int(columns), count))
    return math.ceil(count / cols), cols


@dataclass(frozen=True)
class ChannelGrid:
    """A mosaic of channel maps, ready for one ``plotly`` heatmap.

    Attributes:
        image: (rows * (h + pad) - pad, columns * (w + pad) - pad) float32; tiles scaled to
            [0, 1], NaN in the padding and in unused cells (plotly leaves NaN blank).
        channels: channel index shown in each tile, row by row.
        rows: tile rows.
        columns: tile columns.
        tile: (h, w) of one map.
        pad: pixels between tiles.
        vmin: activation value mapped to 0 (``scale="shared"``; per-channel: the smallest
            channel minimum).
        vmax: activation value mapped to 1 (``scale="shared"``; per-channel: the largest
            channel maximum).
    """

    image: np.ndarray
    channels: list[int]
    rows: int
    columns: int
    tile: tuple[int, int]
    pad: int
    vmin: float
    vmax: float

    def channel_at(self, y: int, x: int) -> int | None:
        """Channel index under mosaic pixel (y, x), or ``None`` on padding / empty cells."""
        h, w = self.tile
        row, dy = divmod(int(y), h + self.pad)
        col, dx = divmod(int(x), w + self.pad)
        if dy >= h or dx >= w or row >= self.rows or col >= self.columns:
            return None
        index = row * self.columns + col
        return self.channels[index] if index < len(self.channels) else None


def channel_grid(
    activation: np.ndarray,
    *,
    channels: Sequence[int] | None = None,
    columns: int | None = None,
    scale: str = "channel",
    pad: int = 1,
) -> ChannelGrid:
    """Lay out one image's channel maps as a grid.

    Args:
        activation: (H, W, C) one image's output of a spatial layer.
        channels: which channels, in order (default all).
        columns: grid columns (default near-square).
        scale: ``"channel"`` scales each map by its own min..max (a constant map becomes
            0); ``"shared"`` uses one min..max over all shown maps, so brightness compares
            across channels.
        pad: pixels of NaN between tiles.

    Returns:
        :class:`ChannelGrid` whose ``image`` is float32 in [0, 1] with NaN gaps.
    """
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim != 3:
        raise InputError(
            f"A channel grid needs one image's maps (H, W, C), got shape {a.shape}; dense "
            "layers have no maps."
        )
    if scale not in ("channel", "shared"):
        raise InputError(f"scale must be 'channel' or 'shared', got {scale!r}.")
    h, w, c = a.shape
    chosen = list(range(c)) if channels is None else [int(i) for i in channels]
    bad = [i for i in chosen if not 0 <= i < c]
    if bad:
        raise InputError(f"Channel {bad[0]} does not exist; the layer has {c} channels.")
    maps = a[:, :, chosen].transpose(2, 0, 1)  # (K, H, W)
    if scale == "shared":
        lo = np.full((len(chosen), 1, 1), maps.min() if maps.size else 0.0, np.float32)
        hi = np.full_like(lo, maps.max() if maps.size else 0.0)
    else:
        lo = maps.min(axis=(1, 2), keepdims=True)
        hi = maps.max(axis=(1, 2), keepdims=True)
    span = hi - lo
    # Constant maps (span 0) become 0 instead of 0/0.
    scaled = np.where(span > 0, (maps - lo) / np.where(span > 0, span, 1.0), 0.0)
    rows, cols = grid_shape(max(1, len(chosen)), columns)
    pad = max(0, int(pad))
    mosaic = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan, np.float32)
    for k, tile in enumerate(scaled):
        r, q = divmod(k, cols)
        mosaic[r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = tile
    return ChannelGrid(
        image=mosaic,
        channels=chosen,
        rows=rows,
        columns=cols,
        tile=(h, w),
        pad=pad,
        vmin=float(lo.min()) if lo.size else 0.0,
        vmax=float(hi.max()) if hi.size else 0.0,
    )


def tile_images(
    images: np.ndarray, *, columns: int | None = None, pad: int = 2, pad_value: int = 255
) -> np.ndarray:
    """Arrange same-size RGB images in a grid (a gallery as one image).

    Args:
        images: (N, h, w, 3) uint8.
        columns: grid columns (default near-square).
        pad: pixels between tiles.
        pad_value: grey level of the padding, 0..255.

    Returns:
        (rows * (h + pad) - pad, columns * (w + pad) - pad, 3) uint8.
    """
    imgs = np.asarray(images)
    if imgs.ndim != 4 or imgs.shape[0] == 0:
        raise InputError(f"Expected a batch of images (N, h, w, 3), got shape {imgs.shape}.")
    n, h, w, ch = imgs.shape
    rows, cols = grid_shape(n, columns)
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, ch), pad_value, np.uint8)
    for k in range(n):
        r, q = divmod(k, cols)
        out[r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = imgs[k]
    return out
