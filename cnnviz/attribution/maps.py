"""From raw maps to heatmaps: ReLU and normalisation, upsampling to the input size."""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz import models

EPSILON = 1e-12
"""Added to the maximum when normalising heatmaps (zero maps stay zero, never NaN)."""


def normalize(maps: np.ndarray, relu: bool = True) -> np.ndarray:
    """Scale each map to [0, 1] by its maximum (after an optional ReLU).

    Args:
        maps: (N, h, w) float.
        relu: drop negative values first (negative evidence is not shown).

    Returns:
        (N, h, w) float32 in [0, 1]; an all-zero (or all-negative with ``relu``) map gives
        zeros, never NaN.
    """
    m = np.asarray(maps, dtype=np.float64)
    m = np.nan_to_num(m, nan=0.0, posinf=0.0, neginf=0.0)
    m = np.maximum(m, 0.0) if relu else m - m.min(axis=(1, 2), keepdims=True)
    top = m.max(axis=(1, 2), keepdims=True)
    return (m / (top + EPSILON)).astype(np.float32)


def upsample(
    maps: np.ndarray, size: tuple[int, int], geometry: models.Geometry | None = None
) -> np.ndarray:
    """Bilinear resize of (N, h', w') maps to (N, h, w), each cell placed where it looks.

    Args:
        maps: (N, h', w') float.
        size: (h, w) target (the model's input size).
        geometry: where the map's cells centre in the input
            (:func:`cnnviz.models.receptive_field`). ``None``: the map spans the whole
            input (half-pixel centres, like ``cv2.resize``). With unpadded convolutions the
            cells of a deep map centre on a smaller, inner region; each output pixel then
            takes the value interpolated at its own position. Pixels beyond the outer
            cell centres (seen only by the edge of the outer cells' receptive fields) fade
            linearly to 0 at that edge plus half a stride.

    Returns:
        (N, h, w) float32.
    """
    h, w = size
    maps = np.asarray(maps, dtype=np.float32)
    if geometry is None:
        if maps.shape[1:] == (h, w):
            return maps.copy()
        return np.stack([cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR) for m in maps])
    # Fractional cell index of every input pixel: (pixel - centre of cell 0) / stride.
    ys = (np.arange(h, dtype=np.float32) - geometry.offset[0]) / geometry.stride[0]
    xs = (np.arange(w, dtype=np.float32) - geometry.offset[1]) / geometry.stride[1]
    ys = np.clip(ys, 0, maps.shape[1] - 1)
    xs = np.clip(xs, 0, maps.shape[2] - 1)
    map_x = np.ascontiguousarray(np.broadcast_to(xs[None, :], (h, w)))
    map_y = np.ascontiguousarray(np.broadcast_to(ys[:, None], (h, w)))
    fade = [
        _edge_fade(n, geometry.offset[a], geometry.stride[a], maps.shape[1 + a], geometry.size[a])
        for a, n in enumerate((h, w))
    ]
    out = np.stack(
        [
            cv2.remap(m, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            for m in maps
        ]
    )
    return (out * fade[0][None, :, None] * fade[1][None, None, :]).astype(np.float32)


def _edge_fade(n: int, offset: float, stride: float, cells: int, size: int) -> np.ndarray:
    """(n,) weights along one axis, fading beyond the outer cell centres.

    1 between the outer cell centres, then linearly down to 0 at the outer cells'
    receptive-field edge plus half a stride (so a peak stays on its cell's centre).
    """
    pos = np.arange(n, dtype=np.float64)
    last = offset + (cells - 1) * stride
    beyond = np.maximum(np.maximum(offset - pos, pos - last), 0.0)
    reach = max(size / 2 + stride / 2, 1.0)
    return np.clip(1.0 - beyond / reach, 0.0, 1.0).astype(np.float32)
