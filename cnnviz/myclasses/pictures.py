"""A class's images on disk: decoded once, shrunk, kept as small JPEGs with a thumbnail.

An image added to a class is decoded by the one decoder of uploads
(:func:`cnnviz.images.load_image`, which refuses non-images, truncated files and
decompression bombs), shrunk so that its longer side is at most :data:`STORED_SIDE` and
written as a JPEG; a :data:`THUMB_SIDE` thumbnail is written beside it. Nothing keeps the
pixels in memory: a 2,000-image project costs a few tens of MB on disk and nothing in RAM.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from cnnviz import images
from cnnviz.errors import InputError

#: Longer side of a stored image, in pixels: the bundled base's own 224.
STORED_SIDE = 224
#: Longer side of a thumbnail, in pixels.
THUMB_SIDE = 64
JPEG_QUALITY = 90
THUMB_QUALITY = 80
SUFFIX = ".jpg"


@dataclass(frozen=True)
class Encoded:
    """An image ready to be written: its id, the stored JPEG and the thumbnail JPEG."""

    image_id: str
    jpeg: bytes
    thumb: bytes

    @property
    def nbytes(self) -> int:
        """Bytes it takes on disk."""
        return len(self.jpeg) + len(self.thumb)


def _jpeg(rgb: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 RGB array
        raise InputError("This image could not be stored as a JPEG.")
    return buf.tobytes()


def encode(source, *, name: str = "") -> Encoded:
    """Decode an uploaded file or a camera snapshot and encode it for storage.

    Args:
        source: bytes, a path, a file object (a Streamlit ``UploadedFile``), or an
            (H, W, 3) uint8 RGB array.
        name: the file's name, for messages.

    Returns:
        The stored JPEG (longer side at most :data:`STORED_SIDE`) and its thumbnail; the id
        is the time of the addition (so names sort in the order images came) and a digest
        of the stored bytes.

    Raises:
        InputError: not an image, a damaged or a too large one (the message names it).
    """
    if isinstance(source, np.ndarray):
        rgb = np.asarray(source)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise InputError(f"Expected an (H, W, 3) uint8 RGB image, got {rgb.shape} {rgb.dtype}.")
        rgb = images.fit_within(rgb, STORED_SIDE)
    else:
        try:
            rgb = images.load_image(source, max_side=STORED_SIDE)
        except InputError as exc:
            raise InputError(f"{name}: {exc}" if name else str(exc)) from None
    jpeg = _jpeg(np.ascontiguousarray(rgb), JPEG_QUALITY)
    thumb = _jpeg(images.fit_within(rgb, THUMB_SIDE), THUMB_QUALITY)
    image_id = f"{time.time_ns():016x}_{hashlib.sha256(jpeg).hexdigest()[:12]}"
    return Encoded(image_id, jpeg, thumb)


def read(path: Path) -> np.ndarray:
    """A stored image as (H, W, 3) uint8 RGB (H, W ≤ :data:`STORED_SIDE`)."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(f"The stored image {path.name} is damaged; remove it and add it again.")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def read_resized(paths: list[Path], size: tuple[int, int]) -> np.ndarray:
    """Stored images resized to ``size`` (h, w), as a model resizes them: (N, h, w, 3) uint8."""
    h, w = size
    out = np.empty((len(paths), h, w, 3), np.uint8)
    for i, path in enumerate(paths):
        rgb = read(path)
        shrinking = rgb.shape[0] > h or rgb.shape[1] > w
        interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        out[i] = cv2.resize(rgb, (w, h), interpolation=interp)
    return out


def chunks(items: list, size: int) -> Iterator[list]:
    """``items`` in lists of at most ``size``."""
    for i in range(0, len(items), max(1, int(size))):
        yield items[i : i + size]
