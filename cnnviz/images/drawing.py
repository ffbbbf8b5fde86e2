"""A drawing on a canvas, framed the way a dataset frames its images.

A model trained on MNIST has only seen digits whose bounding box was scaled to fit 20×20
pixels and whose centre of mass sits at the centre of a 28×28 black image (LeCun et al.'s
preparation of NIST). scikit-learn's ``digits`` are 8×8 images of 0..16 that
:mod:`cnnviz.datasets` upscales into the central 20/28 of the side
(:func:`~cnnviz.images.geometry.resize_batch`); Fashion-MNIST items fill the frame. A
drawing framed otherwise (small, off-centre) is misclassified for reasons that have nothing
to do with the network, so it is framed the same way first.
"""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz.errors import InputError
from cnnviz.images.geometry import resize_batch

STYLES = ("mnist", "digits", "fill")
MNIST_INNER = 20 / 28
DIGITS_NATIVE = 8
DIGITS_LEVELS = 16


def style_for(dataset_name: str | None) -> str | None:
    """The framing style of a dataset (None for datasets one does not draw)."""
    return {"mnist": "mnist", "digits": "digits", "fashion_mnist": "fill"}.get(
        str(dataset_name or "")
    )


def ink(rgba: np.ndarray) -> np.ndarray:
    """The ink of a canvas image: light strokes on a dark (or transparent) background.

    Args:
        rgba: (H, W, 4) or (H, W, 3) uint8.

    Returns:
        (H, W) float32 in 0..255.
    """
    img = np.asarray(rgba)
    if img.ndim != 3 or img.shape[2] not in (3, 4) or min(img.shape[:2]) < 1:
        raise InputError(f"Expected a canvas image (H, W, 4); got shape {img.shape}.")
    gray = img[..., :3].astype(np.float32).max(axis=-1)
    if img.shape[2] == 4:
        gray = gray * (img[..., 3].astype(np.float32) / 255.0)  # transparent = background
    return gray


def _crop_to_ink(gray: np.ndarray, threshold: float = 8.0) -> np.ndarray | None:
    rows = np.flatnonzero(gray.max(axis=1) > threshold)
    cols = np.flatnonzero(gray.max(axis=0) > threshold)
    if rows.size == 0:
        return None
    return gray[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _fit_box(gray: np.ndarray, box: int) -> np.ndarray:
    """Scale so the longer side is ``box`` pixels, keeping the aspect ratio."""
    h, w = gray.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, size, interpolation=interp)


def _square(gray: np.ndarray) -> np.ndarray:
    """Pad the shorter side with black, centred, to a square."""
    h, w = gray.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    return np.pad(gray, ((top, side - h - top), (left, side - w - left)))


def _place_by_mass(gray: np.ndarray, side: int) -> np.ndarray:
    """Put ``gray`` in a black ``side``² image with its centre of mass at the centre."""
    h, w = gray.shape
    total = float(gray.sum())
    ys, xs = np.indices(gray.shape)
    cy = float((ys * gray).sum() / total) if total else (h - 1) / 2
    cx = float((xs * gray).sum() / total) if total else (w - 1) / 2
    # Translate so (cx, cy) lands on the image centre; sub-pixel shifts interpolate.
    centre = (side - 1) / 2
    matrix = np.float32([[1, 0, centre - cx], [0, 1, centre - cy]])
    return cv2.warpAffine(gray, matrix, (side, side), flags=cv2.INTER_LINEAR, borderValue=0)


def frame_drawing(rgba: np.ndarray, style: str = "mnist", side: int = 28) -> np.ndarray:
    """Frame a drawing as a dataset frames its images.

    Args:
        rgba: the canvas, (H, W, 4) uint8, light strokes on a dark or transparent ground.
        style: ``"mnist"`` (bounding box scaled into 20/28 of the side, centre of mass at
            the centre), ``"digits"`` (as :mod:`cnnviz.datasets` builds scikit-learn's
            digits: bounding box squared and reduced to 8×8 with 16 grey levels, then
            enlarged into the central 20/28), or ``"fill"`` (Fashion-MNIST: the squared
            bounding box fills the side).
        side: the model's input side (``digits`` of native 8×8 models: 8).

    Returns:
        (side, side, 3) uint8 RGB (grey repeated), light on black; all black when nothing
        is drawn.
    """
    if style not in STYLES:
        raise InputError(f"Framing style must be one of {', '.join(STYLES)}; got {style!r}.")
    side = int(side)
    if not 8 <= side <= 256:
        raise InputError(f"The image side must be between 8 and 256 pixels; got {side}.")
    cropped = _crop_to_ink(ink(rgba))
    if cropped is None:
        return np.zeros((side, side, 3), np.uint8)
    if style == "mnist":
        out = _place_by_mass(_fit_box(cropped, max(1, round(side * MNIST_INNER))), side)
    elif style == "fill":
        out = cv2.resize(_square(cropped), (side, side), interpolation=cv2.INTER_AREA)
    else:
        # As NIST's 32×32 bitmaps: the height fills the box, the width keeps the aspect
        # (at most the box), centred; 4×4 block means give the 8×8 image.
        h, w = cropped.shape
        width = min(32, max(1, round(w * 32 / h)))
        tall = cv2.resize(cropped, (width, 32), interpolation=cv2.INTER_AREA)
        left = (32 - width) // 2
        tall = np.pad(tall, ((0, 0), (left, 32 - width - left)))
        small = cv2.resize(tall, (DIGITS_NATIVE,) * 2, interpolation=cv2.INTER_AREA)
        peak = max(float(small.max()), 1.0)
        small = np.round(small / peak * DIGITS_LEVELS) * (255 / DIGITS_LEVELS)
        small = np.round(small).astype(np.uint8)
        if side == DIGITS_NATIVE:
            out = small
        else:
            out = resize_batch(small[None], side, inner=MNIST_INNER)[0, ..., 0]
    gray = np.clip(np.round(out), 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=-1)
