"""Heatmaps for the eye: colour maps and blending over the image."""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz.errors import InputError

COLORMAPS: dict[str, int] = {
    "jet": cv2.COLORMAP_JET,
    "turbo": cv2.COLORMAP_TURBO,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "inferno": cv2.COLORMAP_INFERNO,
    "magma": cv2.COLORMAP_MAGMA,
    "plasma": cv2.COLORMAP_PLASMA,
    "hot": cv2.COLORMAP_HOT,
    "bone": cv2.COLORMAP_BONE,
}
"""OpenCV colour maps offered for heatmaps, by name."""


def colorize(heatmap: np.ndarray, colormap: str = "jet") -> np.ndarray:
    """Colour a heatmap.

    Args:
        heatmap: (h, w) float in [0, 1] (clipped).
        colormap: a key of :data:`COLORMAPS`.

    Returns:
        (h, w, 3) uint8 RGB.
    """
    if colormap not in COLORMAPS:
        raise InputError(f"Unknown colour map {colormap!r}; choose one of {', '.join(COLORMAPS)}.")
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise InputError(f"Expected one heatmap (h, w), got shape {heat.shape}.")
    levels = np.rint(np.clip(np.nan_to_num(heat), 0, 1) * 255).astype(np.uint8)
    return cv2.cvtColor(cv2.applyColorMap(levels, COLORMAPS[colormap]), cv2.COLOR_BGR2RGB)


def overlay(
    image_rgb: np.ndarray, heatmap: np.ndarray, alpha: float = 0.4, colormap: str = "jet"
) -> np.ndarray:
    """Blend a coloured heatmap over an image.

    Args:
        image_rgb: (H, W, 3) uint8 RGB (or (H, W) grayscale).
        heatmap: (h, w) float in [0, 1]; resized (bilinear) to (H, W) when sizes differ.
        alpha: heatmap opacity, 0 (image only) .. 1 (heatmap only).
        colormap: a key of :data:`COLORMAPS`.

    Returns:
        (H, W, 3) uint8 RGB, ``(1 - alpha) * image + alpha * colour``.
    """
    if not 0.0 <= float(alpha) <= 1.0:
        raise InputError(f"Opacity must be between 0 and 1, got {alpha}.")
    image = np.asarray(image_rgb)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"Expected an RGB image (H, W, 3), got shape {image.shape}.")
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise InputError(f"Expected one heatmap (h, w), got shape {heat.shape}.")
    height, width = image.shape[:2]
    if heat.shape != (height, width):
        heat = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
    colour = colorize(heat, colormap).astype(np.float32)
    blended = (1.0 - float(alpha)) * image.astype(np.float32) + float(alpha) * colour
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def heatmap_panels(
    image_rgb: np.ndarray, heatmap: np.ndarray, alpha: float = 0.4, colormap: str = "jet"
) -> tuple[np.ndarray, np.ndarray]:
    """The heatmap coloured at the image's size, and blended over the image.

    Args:
        image_rgb: (H, W, 3) uint8 RGB (e.g. the image enlarged for display).
        heatmap: (h, w) float in [0, 1]; resized (bilinear) to (H, W).
        alpha: heatmap opacity of the blend, 0..1.
        colormap: a key of :data:`COLORMAPS`.

    Returns:
        ``(colour, blend)``, both (H, W, 3) uint8 RGB.
    """
    image = np.asarray(image_rgb)
    height, width = image.shape[:2]
    heat = cv2.resize(
        np.asarray(heatmap, np.float32), (width, height), interpolation=cv2.INTER_LINEAR
    )
    return colorize(heat, colormap), overlay(image, heat, alpha=alpha, colormap=colormap)
