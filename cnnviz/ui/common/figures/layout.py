"""What every figure shares: colour scales, margins, 8-bit levels, labels and image layout."""

from __future__ import annotations

import numpy as np

#: Red for positive weights, blue for negative, white for zero.
DIVERGING = "RdBu_r"
#: Black to white, spelled out so no theme can replace it.
SEQUENTIAL = [[0.0, "#000000"], [1.0, "#ffffff"]]
#: Percentile of the values that maps to the ends of a response's colour scale.
ROBUST_PERCENTILE = 99.5
LEVELS = 255
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def quantize(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map [lo, hi] to 0..255 uint8 (NaN → 0), clipping values outside."""
    scale = LEVELS / (hi - lo) if hi > lo else 0.0
    levels = (np.nan_to_num(np.asarray(values, dtype=np.float32), nan=lo) - lo) * scale
    return np.clip(np.rint(levels), 0, LEVELS).astype(np.uint8)


def short_number(value: float) -> str:
    """Short colour-bar label: 6316 → '6316', 0.01234 → '0.0123', 1e-7 → '1e-07'."""
    if value == 0 or 0.01 <= abs(value) < 1e5:
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return f"{value:.2g}"


def rect_shape(
    x0: float, y0: float, x1: float, y1: float, color: str, width: int = 2, dash="solid"
):
    """A plotly rectangle shape (outline only) from (x0, y0) to (x1, y1)."""
    return {
        "type": "rect",
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "line": {"color": color, "width": width, "dash": dash},
    }


def image_layout(title: str, height: int) -> dict:
    """Layout for one image-like trace: square pixels, row 0 on top, no ticks."""
    axis = {"showticklabels": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    return {
        "title": {"text": title, "font": {"size": 14}},
        "height": height,
        "margin": MARGIN,
        "xaxis": axis,
        "yaxis": {**axis, "autorange": "reversed", "scaleanchor": "x"},
    }
