"""Any Pillow image mode to RGB pixels: the one rule for 16-bit, float, palette and alpha."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from cnnviz.errors import InputError

_WHITE = 255.0
#: Modes whose pixels are gray (one channel), whatever their depth.
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def image_to_rgb(image: Image.Image) -> tuple[np.ndarray, bool]:
    """Any Pillow mode → ((H, W, 3) uint8 RGB, whether the image was gray).

    The one rule for every upload and every archive entry: 16-bit gray is divided by 257
    (65535 → 255), floats in 0..1 are multiplied by 255 (see :func:`high_depth_to_uint8`),
    palettes and alpha are composited on white, CMYK and YCbCr are converted by Pillow.
    """
    return _to_rgb(image), image.mode in GRAY_MODES


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        gray = high_depth_to_uint8(np.asarray(image), mode)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    if mode == "P":
        palette_mode = getattr(image.palette, "mode", "")
        has_alpha = "transparency" in image.info or palette_mode == "RGBA"
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif mode in ("LA", "PA", "RGBa", "La"):
        image = _convert(image, "RGBA")
    elif mode == "1":
        image = image.convert("L")

    if image.mode == "RGBA":
        return composite_on_white(np.asarray(image))
    if image.mode == "L":
        return cv2.cvtColor(np.asarray(image), cv2.COLOR_GRAY2RGB)
    rgb = np.asarray(_convert(image, "RGB"))
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"Unsupported pixel layout {rgb.dtype} {rgb.shape} (mode {mode}).")
    return rgb


def _convert(image: Image.Image, mode: str) -> Image.Image:
    try:
        return image.convert(mode)
    except ValueError as err:
        raise InputError(
            f"This image uses the colour mode {image.mode!r}, which cnnviz cannot convert to "
            "RGB. Please re-save it as an ordinary RGB PNG or JPEG."
        ) from err


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 RGBA → (H, W, 3) uint8 RGB seen in front of a white background."""
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    rgb = rgba[:, :, :3].astype(np.float32)
    out = rgb * alpha + _WHITE * (1.0 - alpha)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def high_depth_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
    """16-bit, 32-bit integer or float gray pixels → (H, W) uint8.

    16-bit files use the full 0..65535 range by definition, so they are divided by 257
    (65535 → 255) rather than clipped. For 32-bit integers that fit in 0..65535 the same is
    done; other integer and float data have no fixed range, so they are stretched from their
    minimum to their maximum (floats already in 0..1 are simply multiplied by 255).
    """
    v = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    if mode.startswith("I;16") or (mode == "I" and lo >= 0 and hi <= 65535):
        scaled = v / 257.0
    elif mode == "F" and lo >= 0 and hi <= 1:
        scaled = v * 255.0
    elif hi > lo:
        scaled = (v - lo) * (255.0 / (hi - lo))
    else:
        scaled = np.zeros_like(v)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
