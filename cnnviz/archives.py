"""A user's ``.zip`` of images in class folders, checked entry by entry and decoded in memory.

Nothing here writes to disk. The archive's directory is validated first (names that escape
the target folder, links and special files, encryption, nested archives, file count, declared
sizes and compression ratios); then each image is read under the same caps, its bytes checked
for nested archives, and decoded with Pillow under a pixel cap. Every refusal is an
``InputError`` that names the problem and the entry.

Layouts (wrapper folders around any of them are fine):

- ``train/<class>/...`` with optional ``validation/`` (or ``val/``) and ``test/``;
- Kaggle's ``training_set/`` and ``test_set/``, also doubled as in
  ``training_set/training_set/<class>/...``;
- ``<name>/<class>/...`` with ``validation-<name>/<class>/...`` beside it;
- ``<class>/...``: the caller splits it.

Class names are the folders below the split folders, never the split folders themselves; a
class folder may be called ``test`` inside ``train/``.

``__MACOSX/``, names starting with a dot, ``Thumbs.db``, ``desktop.ini`` and files that are
not images by their extension are ignored (and counted in the notes).
"""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnviz.errors import InputError

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm"}
)
ARCHIVE_EXTENSIONS = frozenset(
    {".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz", ".lzma"}
    | {".jar", ".whl", ".cab", ".iso", ".z"}
)
# Leading bytes of archive formats: an "image" starting like this is a nested archive.
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
_XZ_MAGIC = b"\xfd7zXZ"
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
_SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "training_set": "train",
    "train_set": "train",
    "validation": "val",
    "val": "val",
    "valid": "val",
    "validation_set": "val",
    "val_set": "val",
    "test": "test",
    "testing": "test",
    "test_set": "test",
}
# A split folder beside the training folder it belongs to: validation-<name>/ next to <name>/
# (the courses' horse-or-human and validation-horse-or-human).
_SPLIT_PREFIXES = {"validation": "val", "valid": "val", "val": "val", "test": "test"}
_PIL_FORMATS = frozenset({"PNG", "JPEG", "MPO", "BMP", "GIF", "WEBP", "TIFF", "PPM"})
_MiB = 1 << 20
# Folder entries allowed on top of the file cap before the directory is even parsed.
_MAX_FOLDERS = 10_000


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or accidental archive from exhausting the server.

    Attributes:
        max_archive_bytes: size of the ``.zip`` itself.
        max_files: entries in the archive (folders not counted, ignored files counted).
        max_total_bytes: sum of the declared uncompressed sizes of all entries.
        max_entry_bytes: declared uncompressed size of one entry.
        max_ratio: uncompressed / compressed size of one entry bigger than 1 MiB.
        max_pixels: width × height of one image.
        max_total_pixels: pixels decoded from the whole archive.
    """

    max_archive_bytes: int = 256 * _MiB
    max_files: int = 10_000
    max_total_bytes: int = 512 * _MiB
    max_entry_bytes: int = 64 * _MiB
    max_ratio: float = 100.0
    max_pixels: int = 40_000_000
    max_total_pixels: int = 1_000_000_000


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


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    split: str
    label: str


def _open_zip(source, limits: Limits) -> tuple[zipfile.ZipFile, str | None]:
    """The archive opened from bytes, a path or a file object, plus its file stem if known."""
    stem = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"No archive at {path}.")
        if path.stat().st_size > limits.max_archive_bytes:
            raise InputError(
                f"The archive is {path.stat().st_size / _MiB:.0f} MB; "
                f"the limit is {limits.max_archive_bytes / _MiB:.0f} MB."
            )
        data, stem = path.read_bytes(), path.stem
    elif hasattr(source, "read"):
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)  # an upload the page has already read once
        data = source.read(limits.max_archive_bytes + 1)
        if not isinstance(data, (bytes, bytearray)):
            raise InputError("The upload must be opened in binary mode.")
        stem = Path(str(getattr(source, "name", "") or "")).stem or None
    else:
        raise InputError(f"Expected the archive as bytes, a path or a file, got {type(source)}.")
    if not data:
        raise InputError("The uploaded file is empty.")
    if len(data) > limits.max_archive_bytes:
        raise InputError(
            f"The archive is larger than the limit of {limits.max_archive_bytes / _MiB:.0f} MB."
        )
    declared = _declared_entries(data)
    if declared is not None and declared > limits.max_files + _MAX_FOLDERS:
        raise InputError(
            f"The archive holds {declared} entries; the limit is {limits.max_files} files."
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data)), stem
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(
            "This file is not a .zip archive (or it is damaged). Zip your class folders and "
            "upload the .zip file."
        ) from None


def _declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record; None if absent.

    Read before zipfile parses the whole directory, which for millions of entries costs time
    and memory.
    """
    # The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        return None
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    if count != 0xFFFF:
        return count
    # Zip64: the real count is in the zip64 end record, found through its locator.
    locator = end - 20
    if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
        return None
    record = int.from_bytes(data[locator + 8 : locator + 16], "little")
    if data[record : record + 4] != b"PK\x06\x06":
        return None
    return int.from_bytes(data[record + 32 : record + 40], "little")


def _is_ignored(parts: tuple[str, ...]) -> bool:
    return (
        any(p.startswith(".") or p == "__MACOSX" for p in parts)
        or parts[-1].lower() in _IGNORED_NAMES
    )


def _check_entry(info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse an entry that could escape the target folder or is not a plain file / folder."""
    name = info.filename
    if "\\" in name:
        raise InputError(
            f"Archive entry {name!r} uses backslashes in its path; refused for safety. "
            "Create the zip with a standard tool."
        )
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise InputError(f"Archive entry {name!r} has an absolute path; refused for safety.")
    if ".." in PurePosixPath(name).parts:
        raise InputError(
            f"Archive entry {name!r} points outside the archive's folder ('..'); "
            "refused for safety."
        )
    if any(ord(c) < 32 for c in name):
        raise InputError(f"Archive entry {name!r} has control characters in its name.")
    # Unix file type bits live in the high 16 bits of external_attr.
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise InputError(f"Archive entry {name!r} is a symbolic link; links are not allowed.")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise InputError(f"Archive entry {name!r} is a special file (device, pipe or socket).")
    if info.flag_bits & 0x1:
        raise InputError(f"Archive entry {name!r} is password-protected; upload it unencrypted.")
    if info.file_size > limits.max_entry_bytes:
        raise InputError(
            f"Archive entry {name!r} is {info.file_size / _MiB:.0f} MB uncompressed; "
            f"one file may be at most {limits.max_entry_bytes / _MiB:.0f} MB."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _MiB and ratio > limits.max_ratio:
        raise InputError(
            f"Archive entry {name!r} expands {ratio:.0f} times when unpacked, which is how "
            "zip bombs work; refused."
        )


def _prefixed_splits(tops: set[str]) -> dict[str, str] | None:
    """``{"<name>": "train", "validation-<name>": "val"}`` when the top folders pair up so."""
    lower = {t.lower(): t for t in tops}
    for name in tops:
        found = {name: "train"}
        for prefix, split in _SPLIT_PREFIXES.items():
            for sep in ("-", "_", " "):
                other = lower.get(f"{prefix}{sep}{name.lower()}")
                if other is not None:
                    found[other] = split
        if len(found) > 1:
            return found
    return None


def _layout(
    entries: list[tuple[zipfile.ZipInfo, tuple[str, ...]]],
) -> tuple[list[_Entry], str | None]:
    """Assign each image entry a split and a class from its path; also the wrapper's name."""
    paths = [parts for _, parts in entries]
    # Strip wrapper folders: every image sits under the same top folder that is not a split.
    depth = 0
    while paths and all(
        len(p) >= depth + 3 and p[depth] == paths[0][depth] and p[depth].lower() not in _SPLIT_NAMES
        for p in paths
    ):
        depth += 1
    tops = {p[depth] for p in paths}
    split_of = _prefixed_splits(tops) if len(tops) > 1 else None
    if split_of is None:
        split_of = {t: _SPLIT_NAMES.get(t.lower()) for t in tops}
    split_layout = any(split_of.values())
    # Doubled split folders (Kaggle's training_set/training_set/<class>): a split folder
    # whose images all sit in one subfolder of the same name.
    doubled = set()
    for top in tops:
        inner = [p[depth + 1 :] for p in paths if p[depth] == top]
        if all(len(q) >= 3 and q[0].lower() == top.lower() for q in inner):
            doubled.add(top)
    out = []
    for (info, _), p in zip(entries, paths, strict=True):
        rest = p[depth:]
        if split_layout:
            split = split_of.get(rest[0])
            if split is None:
                raise InputError(
                    f"Folder {rest[0]!r} sits next to train/: the archive should hold only "
                    "train/, validation/ and test/, each with one folder per class."
                )
            if rest[0] in doubled:
                rest = rest[1:]
            if len(rest) < 3:
                raise InputError(
                    f"Image {info.filename!r} is directly in {rest[0]}/; put each image in a "
                    f"class folder, e.g. {rest[0]}/<class name>/{rest[-1]}."
                )
            out.append(_Entry(info, split, rest[1].strip()))
        else:
            if len(rest) < 2:
                raise InputError(
                    f"Image {info.filename!r} is not inside a class folder; put each image in a "
                    "folder named after its class (e.g. cats/1.jpg, dogs/2.jpg)."
                )
            out.append(_Entry(info, "train", rest[0].strip()))
    if split_layout and not any(e.split == "train" for e in out):
        raise InputError(
            "The archive has validation/ or test/ folders but no train/ folder with training "
            "images."
        )
    return out, (paths[0][depth - 1] if depth else None)


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"Archive entry {info.filename!r} is damaged ({exc}).") from None
    except (NotImplementedError, RuntimeError) as exc:
        raise InputError(
            f"Archive entry {info.filename!r} cannot be read ({exc}); "
            "zip it again with standard compression."
        ) from None
    if len(data) > info.file_size:  # zipfile stops at the declared size; be sure anyway
        raise InputError(f"Archive entry {info.filename!r} is larger than it declares; refused.")
    if data.startswith(_ARCHIVE_MAGIC) or data.startswith(_XZ_MAGIC):
        raise InputError(
            f"Archive entry {info.filename!r} is itself an archive; nested archives are not "
            "allowed. Unpack it and zip the class folders directly."
        )
    return data


def _to_rgb(img: Image.Image) -> tuple[np.ndarray, bool]:
    """A Pillow image (any mode) as (H, W, 3) uint8 RGB, and whether it was grayscale."""
    mode = img.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(img, dtype=np.float32)
        if mode != "F" and arr.max(initial=0) > 255:  # 16-bit samples: keep the top 8 bits
            arr = arr / 257
        gray = np.clip(np.round(arr), 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=-1), True
    is_gray = mode in ("1", "L", "LA")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        # Transparent pixels become white, the usual page background.
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.uint8), is_gray


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
    """Decode one image file's bytes.

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
        is composited on white.

    Raises:
        InputError: when the image is larger than ``max_pixels`` or the budget runs out.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning: capped below
            img = Image.open(io.BytesIO(data))
            if img.format not in _PIL_FORMATS:
                return None
            width, height = img.size
            if width * height > max_pixels:
                raise InputError(
                    f"Image {where!r} is {width}×{height} = {width * height:,} pixels; the "
                    f"limit is {max_pixels:,} pixels per image. Resize it first."
                )
            img.seek(0)
            if target_size is not None and img.format == "JPEG":
                img.draft(img.mode, (target_size, target_size))
            if budget is not None:
                budget.spend(img.size[0] * img.size[1], where)
            img.load()
            img = ImageOps.exif_transpose(img)
            return _to_rgb(img)
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    except Exception:  # Pillow raises assorted errors on malformed files: treat as unreadable
        return None


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

    zf, stem = _open_zip(source, limits)
    with zf:
        infos = zf.infolist()
        files = [i for i in infos if not i.is_dir()]
        if len(files) > limits.max_files:
            raise InputError(
                f"The archive holds {len(files)} files; the limit is {limits.max_files}."
            )
        for info in infos:
            _check_entry(info, limits)
        total = sum(i.file_size for i in files)
        if total > limits.max_total_bytes:
            raise InputError(
                f"The archive unpacks to {total / _MiB:.0f} MB; the limit is "
                f"{limits.max_total_bytes / _MiB:.0f} MB."
            )

        images, ignored = [], []
        for info in files:
            parts = PurePosixPath(info.filename).parts
            if not parts:
                continue
            suffix = PurePosixPath(parts[-1]).suffix.lower()
            if parts[0] != "__MACOSX" and suffix in ARCHIVE_EXTENSIONS:
                raise InputError(
                    f"Archive entry {info.filename!r} is itself an archive; nested archives are "
                    "not allowed. Unpack it and zip the class folders directly."
                )
            if _is_ignored(parts):
                continue
            if suffix not in IMAGE_EXTENSIONS:
                ignored.append(info.filename)
                continue
            images.append((info, parts))
        if not images:
            raise InputError(
                "The archive contains no images (.png, .jpg, .bmp, .gif, .webp, .tif). Put the "
                "images in one folder per class, e.g. cats/1.jpg and dogs/2.jpg."
            )
        entries, wrapper = _layout(images)
        name = name or stem or wrapper or "my images"

        class_names = sorted({e.label for e in entries if e.split == "train"})
        _check_classes(entries, class_names, min_per_class, what="files")

        budget = PixelBudget(max_total_pixels)
        decoded: dict[str, list[tuple[np.ndarray, int]]] = {}
        unreadable: list[str] = []
        all_gray = True
        for entry in entries:
            data = _read_entry(zf, entry.info)
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
    _check_classes(readable, class_names, min_per_class, what="readable images", bad=unreadable)

    channels = 1 if color == "gray" or (color == "auto" and all_gray) else 3
    splits = {}
    for split, items in decoded.items():
        x = np.stack([img for img, _ in items])
        if channels == 1:
            luma = np.asarray([0.299, 0.587, 0.114], np.float32)
            x = np.clip(np.round(x @ luma), 0, 255).astype(np.uint8)[..., None]
        splits[split] = (x, np.asarray([k for _, k in items], np.int64))

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
    options = {
        "image_size": image_size,
        "min_per_class": min_per_class,
        "test_fraction": float(test_fraction),
        "seed": int(seed),
        "color": color,
    }
    return ArchiveImages(name, class_names, splits, notes, options, float(test_fraction), int(seed))


def _check_classes(
    entries: list[_Entry],
    class_names: list[str],
    min_per_class: int,
    *,
    what: str,
    bad: list[str] | None = None,
) -> None:
    """At least two training classes, each with ``min_per_class`` entries; no unknown classes."""
    for e in entries:
        if e.split != "train" and e.label not in class_names:
            folder = "validation" if e.split == "val" else e.split
            raise InputError(
                f"Class {e.label!r} appears in {folder}/ but has no folder in train/; "
                f"the training classes are {class_names}."
            )
    if len(class_names) < 2:
        found = f"only {class_names[0]!r}" if class_names else "none"
        raise InputError(
            f"A classifier needs at least two classes (one folder each); found {found}."
        )
    counts = {c: 0 for c in class_names}
    for e in entries:
        if e.split == "train":
            counts[e.label] += 1
    short = {c: n for c, n in counts.items() if n < min_per_class}
    if short:
        listing = ", ".join(f"{c!r} has {n}" for c, n in short.items())
        message = (
            f"Every class needs at least {min_per_class} training {what}: {listing}. "
            "Add more images to those class folders."
        )
        if bad:
            message += f" These files could not be read as images: {', '.join(bad[:5])}."
        raise InputError(message)
