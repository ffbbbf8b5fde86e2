"""The offline sample gallery: photos bundled with scikit-image, plus a drawn test pattern."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import cv2
import numpy as np

from cnnviz.images.pixels import composite_on_white


def samples() -> dict[str, np.ndarray]:
    """The offline sample gallery: photos bundled with scikit-image, plus a test pattern.

    Returns:
        A new dict (safe to change) mapping a display name to a read-only (H, W, 3) uint8
        RGB array. The arrays are shared between callers and cached; copy one before
        changing it in place. Names: ``"cat"``, ``"coffee"``, ``"astronaut"``,
        ``"camera man"``, ``"coins"``, ``"rocket"``, ``"bricks"``, ``"text"``, ``"moon"``,
        ``"grass"``, ``"sunburst"`` (the last one is drawn here: every orientation at once,
        handy for Gabor filters). Photos missing from an unusual scikit-image install are
        skipped.
    """
    return dict(_sample_gallery())


# (display name, scikit-image loader name). Only photos bundled inside the scikit-image wheel
# are listed, so nothing is ever downloaded.
_SKIMAGE_SAMPLES = (
    ("cat", "chelsea"),
    ("coffee", "coffee"),
    ("astronaut", "astronaut"),
    ("camera man", "camera"),
    ("coins", "coins"),
    ("rocket", "rocket"),
    ("bricks", "brick"),
    ("text", "text"),
    ("moon", "moon"),
    ("grass", "grass"),
)


@functools.lru_cache(maxsize=1)
def _sample_gallery() -> Mapping[str, np.ndarray]:
    from skimage import data as skdata  # imported lazily: skimage is slow to import

    gallery: dict[str, np.ndarray] = {}
    for name, loader in _SKIMAGE_SAMPLES:
        try:
            image = getattr(skdata, loader)()
        except Exception:  # a trimmed install without this photo: skip it, never download
            continue
        gallery[name] = _freeze(_as_rgb_uint8(image))
    gallery["sunburst"] = _freeze(_sunburst())
    return gallery


def _as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8:  # e.g. bool or float samples
        image = np.clip(image.astype(np.float64) * (255 if image.max() <= 1 else 1), 0, 255)
        image = image.astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return composite_on_white(image)
    return np.ascontiguousarray(image[:, :, :3])


def _sunburst(size: int = 256, rays: int = 24) -> np.ndarray:
    """A radial test pattern: stripes at every orientation and (towards the centre) frequency."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) - (size - 1) / 2
    angle = np.arctan2(yy, xx)
    pattern = 0.5 + 0.5 * np.cos(rays * angle)
    gray = np.rint(pattern * 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)


def _freeze(image: np.ndarray) -> np.ndarray:
    image = np.ascontiguousarray(image)
    image.setflags(write=False)
    return image
