"""Reading images safely, and the offline sample gallery.

Every page gets its pictures from here: :func:`load_image` turns whatever a student uploads
(bytes, a path or a file object such as Streamlit's ``UploadedFile``) into an ``(H, W, 3)``
uint8 RGB array, or refuses it with an :class:`~cnnviz.errors.InputError` that says why.
:func:`samples` is a small gallery of photos that ship with scikit-image, so the app works
with no network.

Safety: the format is checked against an allow-list before any pixel is decoded, the
declared size is checked against :data:`MAX_PIXELS` (a "decompression bomb" is a tiny file
that claims billions of pixels) before decoding, truncated files are refused (Pillow's
global ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never switched on here), and every failure of
the decoder becomes an ``InputError``.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps

from cnnviz.errors import InputError

#: Largest file accepted, in bytes (a 40-megapixel JPEG is well under this).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Largest declared image accepted, in pixels (width × height).
MAX_PIXELS = 40_000_000
#: Longest side accepted, in pixels, whatever the pixel count.
MAX_DIMENSION = 30_000
#: Most JPEG scans (SOS markers) accepted; a progressive photo has about 10. A file with
#: thousands of tiny scans makes the decoder redo its work thousands of times.
MAX_JPEG_SCANS = 500

#: Most header pieces accepted (PNG chunks, JPEG segments before the first scan, GIF
#: extension sub-blocks before the first frame); real files have a few to a few thousand,
#: and Pillow needs about 7 µs per piece, so the limit bounds parsing to well under a second.
MAX_PIECES = 100_000

#: Pillow format ids we decode. (Cameras' multi-picture JPEGs open through "JPEG" and
#: report themselves as "MPO"; only their first picture is used.)
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
#: File-name extensions of those formats, for upload widgets.
ALLOWED_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")

_FORMATS_TEXT = "PNG, JPEG, WebP, BMP, GIF or TIFF"
_WHITE = 255.0

# Magic numbers of things students commonly upload by mistake, to name them in the message.
_KNOWN_NON_IMAGES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"8BPS", "a Photoshop file"),
    (b"\x00\x00\x01\x00", "an icon (.ico) file"),
)


def load_image(source: Any, *, max_side: int | None = None) -> np.ndarray:
    """Decode an image file into RGB pixels.

    Handles EXIF orientation (the photo is turned the way the camera showed it), grayscale,
    palette, alpha (composited on white), 16-bit (scaled, not clipped), CMYK and YCbCr, and
    animated files (the first frame is used).

    Args:
        source: the file, as ``bytes``/``bytearray``/``memoryview``, a path (``str`` or
            ``os.PathLike``), or a binary file object (anything with ``read()``, including
            Streamlit's ``UploadedFile``; ``getvalue()`` is used when present, so the read
            position does not matter).
        max_side: if given, the image is shrunk (area averaging) so that its longer side is
            at most this many pixels; smaller images are left as they are.

    Returns:
        (H, W, 3) uint8 RGB array in 0..255, C-contiguous and writable (the caller owns it).

    Raises:
        InputError: the file is missing, empty, too large, truncated, not an image, in a
            format other than PNG/JPEG/WebP/BMP/GIF/TIFF, or claims too many pixels.
        TypeError: ``source`` is none of the accepted kinds (a programming mistake).
    """
    if max_side is not None and (
        isinstance(max_side, bool) or not isinstance(max_side, int | np.integer) or max_side < 1
    ):
        raise InputError(f"max_side must be a whole number of pixels ≥ 1, got {max_side!r}.")
    data = _read_bytes(source)
    rgb = _decode(data, max_side)
    if max_side is not None:
        rgb = fit_within(rgb, int(max_side))
    if not (rgb.flags.writeable and rgb.flags.c_contiguous):  # Pillow's buffers are read-only
        rgb = np.array(rgb, order="C")
    return rgb


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


# ---------------------------------------------------------------------------------------------
# Reading


def _read_bytes(source: Any) -> bytes:
    """The raw bytes of ``source``, refusing empty and oversized inputs."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        data = _read_path(Path(source))
    elif hasattr(source, "getvalue") or hasattr(source, "read"):
        data = _read_file_object(source)
    else:
        raise TypeError(
            f"load_image expects bytes, a path or a binary file object, got {type(source)!r}."
        )
    if not data:
        raise InputError("The file is empty (0 bytes). Please choose an image file.")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(_too_big_file_message(len(data)))
    return data


def _read_path(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise InputError(f"There is no image file at {str(path)!r}.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(_too_big_file_message(size))
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"Could not read {str(path)!r}: {err.strerror or err}.") from err


def _read_file_object(source: Any) -> bytes:
    try:
        # A plain stream is read one byte past the limit, so an oversized one is detected
        # without being slurped whole.
        data = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(f"Could not read the uploaded file: {err}.") from err
    if isinstance(data, str):
        raise TypeError("load_image needs a file opened in binary mode ('rb'), not text mode.")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"The file object returned {type(data)!r} instead of bytes.")
    return bytes(data)


def _too_big_file_message(size: int) -> str:
    return (
        f"The file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB. "
        "Please use a smaller image."
    )


# ---------------------------------------------------------------------------------------------
# Decoding


def _decode(data: bytes, max_side: int | None) -> np.ndarray:
    """Bytes → (H, W, 3) uint8 RGB, with every decoder failure turned into InputError."""
    _check_structure(data)
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as err:
        raise InputError(_bomb_message()) from err
    except Exception as err:  # Pillow raises many kinds (OSError, SyntaxError, struct.error...)
        raise InputError(_not_an_image_message(data)) from err

    with image:
        _check_size(image)
        if image.format in ("JPEG", "MPO"):
            if data.count(b"\xff\xda") > MAX_JPEG_SCANS:
                raise InputError(
                    "This JPEG is built in an unusual way (too many scans) and would take too "
                    "long to decode. Please re-save it as an ordinary JPEG or PNG."
                )
            if max_side is not None:
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is shrunk anyway.
                # It never goes below the requested size, which is the final size (long side
                # = max_side), so quality is unchanged.
                width, height = image.size
                scale = min(1.0, int(max_side) / max(width, height))
                image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
        if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone switched it on globally; do not trust it
            raise InputError("Image decoding is misconfigured (LOAD_TRUNCATED_IMAGES is on).")
        try:
            image.load()  # the first frame only, for animated GIF/WebP and multi-page TIFF
        except Image.DecompressionBombError as err:
            raise InputError(_bomb_message()) from err
        except Exception as err:
            raise InputError(_broken_message(image.format, err)) from err
        image = _apply_exif_orientation(image)
        try:
            return _to_rgb(image)
        except InputError:
            raise
        except Exception as err:
            raise InputError(_broken_message(image.format, err)) from err


def _check_structure(data: bytes) -> None:
    """Refuse files built from absurd numbers of tiny pieces, before Pillow parses them.

    Pillow walks PNG chunks, JPEG header segments and GIF extension blocks in Python, one
    piece at a time; a 50 MB file made of millions of 2-byte pieces would take it many
    seconds. Real files have at most a few thousand, so counting stops early and cheaply.
    """
    kind = _sniff_image_format(data)
    walkers = {"PNG": _count_png_chunks, "JPEG": _count_jpeg_segments, "GIF": _count_gif_blocks}
    if kind in walkers and walkers[kind](data, MAX_PIECES + 1) > MAX_PIECES:
        raise InputError(
            f"This {kind} file is built in an unusual way (more than {MAX_PIECES:,} separate "
            "pieces) and would take too long to read. Please re-save it with an image editor."
        )


def _count_png_chunks(data: bytes, limit: int) -> int:
    pos, count = 8, 0
    while pos + 8 <= len(data) and count < limit:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        count += 1
        if kind == b"IEND":
            break
        pos += 12 + length  # length, type, data, CRC
    return count


def _count_jpeg_segments(data: bytes, limit: int) -> int:
    """Markers (and fill bytes) before the first scan; later scans are capped separately."""
    pos, count = 2, 0
    while pos + 4 <= len(data) and count < limit:
        if data[pos] != 0xFF:
            break  # malformed: Pillow will refuse it
        marker = data[pos + 1]
        count += 1
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker in (0xDA, 0xD9):  # start of scan / end of image
            break
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return count


def _count_gif_blocks(data: bytes, limit: int) -> int:
    """Extension sub-blocks before the first image descriptor."""
    if len(data) < 13:
        return 0
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    count = 0
    while pos < len(data) and data[pos] == 0x21 and count < limit:  # an extension
        pos += 2  # introducer and label
        while pos < len(data) and count < limit:
            size = data[pos]
            pos += 1 + size
            count += 1
            if size == 0:
                break
    return count


def _check_size(image: Image.Image) -> None:
    """Refuse absurd declared sizes before a single pixel is decoded."""
    width, height = image.size
    if width < 1 or height < 1:
        raise InputError(f"The image says it is {width}×{height} pixels, which is empty.")
    if max(width, height) > MAX_DIMENSION:
        raise InputError(
            f"The image is {width}×{height} pixels; sides longer than {MAX_DIMENSION} pixels "
            "are not accepted. Please shrink it first."
        )
    limit = MAX_PIXELS
    if Image.MAX_IMAGE_PIXELS:  # respect a stricter global setting if someone made one
        limit = min(limit, int(Image.MAX_IMAGE_PIXELS))
    if width * height > limit:
        raise InputError(
            f"The image is {width}×{height} = {width * height / 1e6:.0f} megapixels; the limit "
            f"is {limit / 1e6:.0f} megapixels. Please shrink it first. (Very large sizes in a "
            "small file are also how 'decompression bomb' attacks work.)"
        )


def _apply_exif_orientation(image: Image.Image) -> Image.Image:
    """Turn the image the way the camera displayed it; broken EXIF data is ignored."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # a corrupt EXIF block must not make a readable photo unreadable
        return image
    return image if turned is None else turned


def _to_rgb(image: Image.Image) -> np.ndarray:
    """Any Pillow mode → (H, W, 3) uint8 RGB."""
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        gray = _high_depth_to_uint8(np.asarray(image), mode)
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
        return _composite_on_white(np.asarray(image))
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


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 RGBA → (H, W, 3) uint8 RGB seen in front of a white background."""
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    rgb = rgba[:, :, :3].astype(np.float32)
    out = rgb * alpha + _WHITE * (1.0 - alpha)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _high_depth_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
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


def _bomb_message() -> str:
    return (
        "The image claims far more pixels than it could plausibly contain (a 'decompression "
        "bomb'), so it was not opened. Please use an ordinary photo."
    )


def _broken_message(image_format: str | None, err: Exception) -> str:
    name = image_format or "image"
    if "truncated" in str(err).lower():
        return (
            f"This {name} file is cut short (truncated): part of it is missing, perhaps "
            "because a download or copy did not finish. Please get the complete file."
        )
    return f"This {name} file is damaged and cannot be decoded ({err}). Please try another."


# Signatures of the formats we read, to tell "damaged image" from "not an image at all".
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def _sniff_image_format(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    for magic, name in _IMAGE_SIGNATURES:
        # A BMP header has four reserved zero bytes: do not call any text starting "BM" a BMP.
        if data.startswith(magic) and (name != "BMP" or data[6:10] == b"\0\0\0\0"):
            return name
    return None


def _not_an_image_message(data: bytes) -> str:
    image_format = _sniff_image_format(data)
    if image_format is not None:
        return (
            f"This starts like a {image_format} file, but it is damaged or cut short "
            "(truncated), so it cannot be read. Please get the complete file."
        )
    head = data[:512].lstrip()
    what = None
    for magic, name in _KNOWN_NON_IMAGES:
        if data.startswith(magic):
            what = name
    lowered = head.lower()
    if lowered.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in lowered:
        what = "a text/vector file (SVG, XML or HTML), not a pixel image"
    elif data[4:8] == b"ftyp":
        brand = data[8:12].decode("ascii", "replace")
        what = f"an ISO media file ({brand!r}: HEIC/AVIF photo or video)"
    if what is None and _looks_like_text(data[:512]):
        what = "a text file"
    hint = f"Please upload a {_FORMATS_TEXT} image."
    if data[4:8] == b"ftyp":
        hint = (
            "Phone photos in HEIC format are not supported: export the photo as JPEG, or set "
            "the camera to 'Most Compatible'. " + hint
        )
    prefix = f"This looks like {what}. " if what else "This file is not an image cnnviz reads. "
    return prefix + hint


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)


# ---------------------------------------------------------------------------------------------
# Samples

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
        return _composite_on_white(image)
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
