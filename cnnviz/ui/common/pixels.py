"""Display helpers on pixel arrays (numpy, no Streamlit): enlarged images, boxes drawn on them."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


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
