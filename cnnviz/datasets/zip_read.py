"""A user's ``.zip`` of images in class folders, checked entry by entry and decoded in memory.

Nothing here writes to disk. The archive is checked first (:mod:`.zip_checks`), each image's
split and class come from its path (:mod:`.zip_layout`), and each image is decoded by the one
decoder of uploads, :func:`cnnviz.images.decode_bytes`, under a pixel cap per image and per
archive: an entry decodes to the same pixels as the same file uploaded alone.

``__MACOSX/``, names starting with a dot, ``Thumbs.db``, ``desktop.ini`` and files that are
not images by their extension are ignored (and counted in the notes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import BinaryIO

import cv2
import numpy as np

from cnnviz.datasets.zip_checks import Limits, list_images, open_zip, read_entry
from cnnviz.datasets.zip_layout import check_classes, layout
from cnnviz.errors import InputError
from cnnviz.images.decode import ALLOWED_FORMATS, UnreadableError, decode_bytes

# Archives also take the Netpbm formats (.ppm, .pgm, .pbm) that some datasets ship.
_FORMATS = (*ALLOWED_FORMATS, "PPM")


@dataclass
class ArchiveImages:
    """Decoded images of an archive, per split.

    Attributes:
        name: a name for the dataset (option, archive file name, wrapper folder, or "my images").
        class_names: sorted class folder names of ``train``.
        splits: ``"train"`` and, when present, ``"val"`` / ``"test"`` → (x, y): x (N, S, S, C)
            uint8, y (N,) int64.
        notes: skipped files and lopsided classes, for the student.
        options: the options used (to show or reload).
        test_fraction: share of each class to hold out when there is no ``test`` split.
        seed: seed for that split.
    """

    name: str
    class_names: list[str]
    splits: dict[str, tuple[np.ndarray, np.ndarray]]
    notes: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    test_fraction: float = 0.2
    seed: int = 0


class PixelBudget:
    """Caps the pixels decoded from one archive.

    Many small files that each decode to a huge image would otherwise cost minutes of CPU.

    Args:
        total: the most pixels (width × height, summed over images) to decode.
    """

    def __init__(self, total: int):
        self.left = int(total)
        self.total = int(total)

    def spend(self, pixels: int, where: str) -> None:
        """Take ``pixels`` from the budget; ``InputError`` naming ``where`` when it runs out."""
        self.left -= int(pixels)
        if self.left < 0:
            raise InputError(
                f"The images add up to more than {self.total:,} pixels (reached at {where!r}); "
                "resize them before zipping, or upload fewer."
            )


def decode_image(
    data: bytes,
    where: str,
    max_pixels: int,
    *,
    target_size: int | None = None,
    budget: PixelBudget | None = None,
) -> tuple[np.ndarray, bool] | None:
    """Decode one archive entry with the uploads' decoder (:func:`cnnviz.images.decode_bytes`).

    Args:
        data: the file's bytes.
        where: the entry name, for messages.
        max_pixels: largest width × height accepted.
        target_size: the side the caller will shrink to; JPEGs are then decoded at a reduced
            scale no smaller than that (much faster for large photos).
        budget: pixels left to decode in this archive, charged with the decoded size.

    Returns:
        ((H, W, 3) uint8 RGB, was_grayscale), or None when the bytes are not a readable
        image. EXIF orientation is applied; animations give their first frame; transparency
        is composited on white; 16-bit and float pixels are scaled as for a single upload.

    Raises:
        InputError: when the image is larger than ``max_pixels`` or the budget runs out.
    """
    size = None if target_size is None else (int(target_size), int(target_size))
    try:
        decoded = decode_bytes(
            data,
            draft_size=size,
            max_pixels=max_pixels,
            where=where,
            budget=budget,
            formats=_FORMATS,
        )
    except UnreadableError:
        return None
    return decoded.rgb, decoded.gray


def read_image_zip(
    source: bytes | str | os.PathLike | BinaryIO,
    *,
    image_size: int = 64,
    min_per_class: int = 5,
    test_fraction: float = 0.2,
    seed: int = 0,
    color: str = "auto",
    name: str | None = None,
    max_files: int = Limits.max_files,
    max_total_bytes: int = Limits.max_total_bytes,
    max_pixels: int = Limits.max_pixels,
    max_total_pixels: int = Limits.max_total_pixels,
) -> ArchiveImages:
    """Validate and decode an archive of class folders, in memory.

    Args:
        source: the ``.zip`` as bytes, a path or a binary file object.
        image_size: every image is resized to ``image_size`` × ``image_size`` (8..512).
        min_per_class: fewest readable training images a class may have (≥ 1).
        test_fraction: share of each class the caller holds out when there is no test/
            (0 < f < 1; only recorded here).
        seed: seed for that split (only recorded here).
        color: ``"auto"`` (one channel when every image is grayscale), ``"rgb"`` or ``"gray"``.
        name: dataset name; default the archive's file name or its wrapper folder.
        max_files: cap on the number of files in the archive.
        max_total_bytes: cap on their total uncompressed size.
        max_pixels: cap on width × height of each image.
        max_total_pixels: cap on the pixels decoded from the whole archive (large JPEGs count
            at the reduced scale they are decoded at).

    Returns:
        The decoded images; x (N, S, S, C) uint8 with C = 1 or 3, y (N,) int64.

    Raises:
        InputError: an unsafe, damaged or unusable archive, naming the problem and the entry.
    """
    image_size, min_per_class = int(image_size), int(min_per_class)
    if not 8 <= image_size <= 512:
        raise InputError(f"Image size must be between 8 and 512 pixels, got {image_size}.")
    if min_per_class < 1:
        raise InputError(f"Minimum images per class must be at least 1, got {min_per_class}.")
    if color not in ("auto", "rgb", "gray"):
        raise InputError(f"Colour must be 'auto', 'rgb' or 'gray', got {color!r}.")
    if not 0 < float(test_fraction) < 1:
        raise InputError(f"Test fraction must be between 0 and 1, got {test_fraction}.")
    limits = Limits(max_files=max_files, max_total_bytes=max_total_bytes, max_pixels=max_pixels)

    zf, stem = open_zip(source, limits)
    with zf:
        images, ignored = list_images(zf, limits)
        entries, wrapper = layout(images)
        name = name or stem or wrapper or "my images"

        class_names = sorted({e.label for e in entries if e.split == "train"})
        check_classes(entries, class_names, min_per_class, what="files")

        budget = PixelBudget(max_total_pixels)
        decoded: dict[str, list[tuple[np.ndarray, int]]] = {}
        unreadable: list[str] = []
        all_gray = True
        for entry in entries:
            data = read_entry(zf, entry.info)
            result = decode_image(
                data,
                entry.info.filename,
                limits.max_pixels,
                target_size=image_size,
                budget=budget,
            )
            if result is None:
                unreadable.append(entry.info.filename)
                continue
            rgb, gray = result
            all_gray &= gray
            interp = cv2.INTER_AREA if max(rgb.shape[:2]) > image_size else cv2.INTER_LINEAR
            small = cv2.resize(rgb, (image_size, image_size), interpolation=interp)
            decoded.setdefault(entry.split, []).append((small, class_names.index(entry.label)))

    skipped = set(unreadable)
    readable = [e for e in entries if e.info.filename not in skipped]
    check_classes(readable, class_names, min_per_class, what="readable images", bad=unreadable)

    channels = 1 if color == "gray" or (color == "auto" and all_gray) else 3
    splits = {}
    for split, items in decoded.items():
        x = np.stack([img for img, _ in items])
        if channels == 1:
            luma = np.asarray([0.299, 0.587, 0.114], np.float32)
            x = np.clip(np.round(x @ luma), 0, 255).astype(np.uint8)[..., None]
        splits[split] = (x, np.asarray([k for _, k in items], np.int64))

    notes = _notes(splits, class_names, unreadable, ignored)
    options = {
        "image_size": image_size,
        "min_per_class": min_per_class,
        "test_fraction": float(test_fraction),
        "seed": int(seed),
        "color": color,
    }
    return ArchiveImages(name, class_names, splits, notes, options, float(test_fraction), int(seed))


def _notes(splits: dict, class_names: list[str], unreadable: list[str], ignored: list[str]):
    """Skipped and ignored files, classes missing from a split, lopsided classes."""
    notes = []
    if unreadable:
        notes.append(
            f"Skipped {len(unreadable)} file(s) that are not readable images: "
            + ", ".join(unreadable[:5])
            + (" ..." if len(unreadable) > 5 else "")
        )
    if ignored:
        notes.append(
            f"Ignored {len(ignored)} file(s) that are not images: "
            + ", ".join(ignored[:5])
            + (" ..." if len(ignored) > 5 else "")
        )
    for split, folder in (("val", "validation"), ("test", "test")):
        if split in splits:
            missing = [c for k, c in enumerate(class_names) if k not in set(splits[split][1])]
            if missing:
                notes.append(
                    f"The {folder} images include no {', '.join(missing)}: results on "
                    "those classes cannot be measured."
                )
    counts = np.bincount(splits["train"][1], minlength=len(class_names))
    if counts.max() > 3 * counts.min():
        listing = ", ".join(f"{c} {n}" for c, n in zip(class_names, counts, strict=True))
        notes.append(
            f"The classes are lopsided ({listing} training images): accuracy can look good "
            "while the small classes are mostly missed. Check the per-class report."
        )
    return notes
