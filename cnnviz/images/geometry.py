"""Resizing: shrink to fit a side, luma, and a batch of gray images framed on black squares."""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz.errors import InputError


def fit_within(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink an image so its longer side is at most ``max_side`` (aspect ratio kept).

    Args:
        image: (H, W) or (H, W, C) array, any dtype OpenCV resizes (uint8, float32, ...).
        max_side: the longest side allowed, ≥ 1.

    Returns:
        The same array if it already fits, else a new array resized with ``cv2.INTER_AREA``
        (area averaging, which does not alias when shrinking); sides are at least 1 pixel.
    """
    if max_side < 1:
        raise InputError(f"max_side must be ≥ 1, got {max_side}.")
    h, w = image.shape[:2]
    longest = max(h, w)
    if longest <= max_side:
        return image
    scale = max_side / longest
    new_w = min(max_side, max(1, round(w * scale)))
    new_h = min(max_side, max(1, round(h * scale)))
    return cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB image (ITU-R BT.601 weights, as OpenCV and Keras use).

    Args:
        image: (H, W, 3) uint8 RGB, or an (H, W) / (H, W, 1) array that is already gray.

    Returns:
        (H, W) uint8 in 0..255 (gray input is returned as a 2-D view or copy of itself).
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return image
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"Expected an (H, W, 3) RGB image, got shape {image.shape}.")
    return cv2.cvtColor(np.ascontiguousarray(image, dtype=np.uint8), cv2.COLOR_RGB2GRAY)


def resize_batch(x: np.ndarray, side: int | None, inner: float = 1.0) -> np.ndarray:
    """(N, h, w) uint8 → (N, side, side, 1) uint8 (unchanged size when side is None).

    With ``inner`` < 1 the image is resized to ``inner × side`` and centred on a black frame.
    """
    if side is not None:
        side = int(side)
        if not 8 <= side <= 256:
            raise InputError(f"Upscale size must be between 8 and 256 pixels, got {side}.")
        size = max(1, round(side * inner))
        interp = cv2.INTER_AREA if size < x.shape[1] else cv2.INTER_LINEAR
        small = np.stack([cv2.resize(img, (size, size), interpolation=interp) for img in x])
        before = (side - size) // 2
        pad = (before, side - size - before)
        x = np.pad(small, ((0, 0), pad, pad))
    return x[..., None]
