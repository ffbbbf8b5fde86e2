"""Sobel gradients and a colour picture of their directions."""

from __future__ import annotations

import math

import cv2
import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters.checks import gray_float

#: Kernel sizes ``cv2.Sobel`` accepts.
SOBEL_SIZES = (1, 3, 5, 7)


def sobel(
    gray: np.ndarray, ksize: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Image gradients with OpenCV's Sobel operator.

    Args:
        gray: (H, W) gray image, uint8 0..255 or float (any range).
        ksize: Sobel aperture, one of 1, 3, 5, 7 (1 means the plain [-1, 0, 1] difference).

    Returns:
        ``(gx, gy, magnitude, direction)``, each (H, W) float32:

        - ``gx``: ``cv2.Sobel(gray, CV_32F, 1, 0, ksize)`` (brightness change to the right),
          in the input's units times the kernel's gain (e.g. up to ±4·255 for uint8, ksize 3).
        - ``gy``: the same downwards (image rows grow downwards).
        - ``magnitude``: ``sqrt(gx² + gy²)``, ≥ 0.
        - ``direction``: ``arctan2(gy, gx)`` in radians, in [-π, π]: the way brightness
          increases, 0 = to the right, π/2 = downwards, ±π = to the left. Pixels with no
          gradient get 0.

        Borders are reflected (OpenCV's default, ``BORDER_REFLECT_101``).
    """
    if (
        isinstance(ksize, bool)
        or not isinstance(ksize, int | np.integer)
        or ksize not in SOBEL_SIZES
    ):
        raise InputError(f"The Sobel kernel size must be one of {SOBEL_SIZES}, got {ksize!r}.")
    src = gray_float(gray)
    gx = cv2.Sobel(src, cv2.CV_32F, 1, 0, ksize=ksize)
    gy = cv2.Sobel(src, cv2.CV_32F, 0, 1, ksize=ksize)
    magnitude = cv2.magnitude(gx, gy)
    direction = np.arctan2(gy, gx).astype(np.float32)
    return gx, gy, magnitude, direction


def direction_rgb(
    direction: np.ndarray, magnitude: np.ndarray, *, percentile: float = 99.0
) -> np.ndarray:
    """Colour gradient directions by angle (hue) and strength (brightness).

    Args:
        direction: (H, W) angles in radians (any range; taken modulo 2π), e.g. from
            :func:`sobel`.
        magnitude: (H, W) non-negative strengths; the ``percentile``-th percentile maps to
            full brightness, so a few very strong edges do not make the rest black.
        percentile: in (0, 100].

    Returns:
        (H, W, 3) uint8 RGB: hue = angle (0 → red, 90° → yellow-green, 180° → cyan,
        270° → blue-violet), value = relative magnitude, saturation = full.
    """
    if direction.shape != magnitude.shape or direction.ndim != 2:
        raise InputError(
            f"direction and magnitude must be (H, W) arrays of one shape, got "
            f"{direction.shape} and {magnitude.shape}."
        )
    # OpenCV's 8-bit hue runs 0..179 for 0..358 degrees.
    turns = np.mod(direction.astype(np.float64), 2 * math.pi) / (2 * math.pi)
    hue = np.minimum(np.floor(turns * 180), 179).astype(np.uint8)
    top = float(np.percentile(magnitude, percentile)) if magnitude.size else 0.0
    value = np.clip(magnitude / top, 0, 1) if top > 0 else np.zeros_like(magnitude)
    hsv = np.dstack([hue, np.full_like(hue, 255), np.rint(value * 255).astype(np.uint8)])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def angle_wheel(size: int = 64) -> np.ndarray:
    """A colour wheel legend for :func:`direction_rgb`.

    0° points right and angles grow clockwise, because image rows grow downwards.

    Returns:
        (size, size, 3) uint8 RGB; outside the disc is white.
    """
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) - (size - 1) / 2
    radius = np.hypot(xx, yy) / ((size - 1) / 2)
    wheel = direction_rgb(np.arctan2(yy, xx), np.clip(radius, 0, 1), percentile=100)
    wheel[radius > 1] = 255
    return wheel
