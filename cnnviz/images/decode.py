"""The one image decoder, for single uploads and archive entries alike.

:func:`decode_bytes` turns a file's bytes into ``(H, W, 3)`` uint8 RGB under every check:
the format is checked against an allow-list before any pixel is decoded, the declared size
is checked against :data:`MAX_PIXELS` (a "decompression bomb" is a tiny file that claims
billions of pixels) before decoding, files built from absurd numbers of pieces are refused,
truncated files are refused (Pillow's global ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never
switched on here), and every failure of the decoder becomes an ``InputError``.
:func:`load_image` is the public entry point for one upload; ``cnnviz.datasets`` decodes each
archive entry with :func:`decode_bytes`, so both read float, 16-bit, palette, alpha, CMYK and
EXIF-rotated files the same way (:func:`cnnviz.images.pixels.image_to_rgb`).
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Any, NamedTuple, Protocol

import numpy as np
from PIL import Image, ImageFile, ImageOps

from cnnviz.errors import InputError
from cnnviz.images.geometry import fit_within
from cnnviz.images.messages import bomb_message, broken_message, not_an_image_message
from cnnviz.images.pixels import image_to_rgb
from cnnviz.images.reading import read_bytes
from cnnviz.images.structure import MAX_JPEG_SCANS, check_structure

#: Largest declared image accepted, in pixels (width × height).
MAX_PIXELS = 40_000_000
#: Longest side accepted, in pixels, whatever the pixel count.
MAX_DIMENSION = 30_000
#: Pillow format ids we decode. (Cameras' multi-picture JPEGs open through "JPEG" and
#: report themselves as "MPO"; only their first picture is used.)
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
#: File-name extensions of those formats, for upload widgets.
ALLOWED_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")


class UnreadableError(InputError):
    """The bytes are not a readable image (not an image, damaged, truncated, odd mode).

    An archive skips such entries and reports them; a size or bomb refusal is a plain
    :class:`InputError` and refuses the whole archive.
    """


class Budget(Protocol):
    """Pixels left to decode (see :class:`cnnviz.datasets.zip_read.PixelBudget`)."""

    def spend(self, pixels: int, where: str) -> None:
        """Take ``pixels``; raise ``InputError`` naming ``where`` when none are left."""


class Decoded(NamedTuple):
    """A decoded image: ``rgb`` (H, W, 3) uint8 and whether the file was ``gray``."""

    rgb: np.ndarray
    gray: bool


def load_image(source: Any, *, max_side: int | None = None) -> np.ndarray:
    """Decode an image file into RGB pixels.

    Handles EXIF orientation (the photo is turned the way the camera showed it), grayscale,
    palette, alpha (composited on white), 16-bit (scaled, not clipped: divided by 257), float
    (0..1 multiplied by 255, other ranges stretched), CMYK and YCbCr, and animated files (the
    first frame is used).

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
    rgb = decode_bytes(read_bytes(source), max_side=max_side).rgb
    if max_side is not None:
        rgb = fit_within(rgb, int(max_side))
    if not (rgb.flags.writeable and rgb.flags.c_contiguous):  # Pillow's buffers are read-only
        rgb = np.array(rgb, order="C")
    return rgb


def decode_bytes(
    data: bytes,
    *,
    max_side: int | None = None,
    draft_size: tuple[int, int] | None = None,
    max_pixels: int = MAX_PIXELS,
    where: str | None = None,
    budget: Budget | None = None,
    formats: tuple[str, ...] = ALLOWED_FORMATS,
) -> Decoded:
    """Bytes → (H, W, 3) uint8 RGB, with every decoder failure turned into InputError.

    Args:
        data: the file's bytes.
        max_side: the caller shrinks the result to this longer side: a JPEG is decoded at
            1/2, 1/4 or 1/8 scale when that still reaches it.
        draft_size: (width, height) both sides of the result must still reach (a caller
            that resizes to a square); like ``max_side`` for JPEGs.
        max_pixels: largest declared width × height accepted.
        where: the entry's name, for messages (archives).
        budget: charged with the pixels actually decoded (after any reduced-scale decode).
        formats: Pillow format ids accepted.

    Returns:
        The pixels and whether the file was gray.

    Raises:
        UnreadableError: not an image, damaged, truncated or an unconvertible mode.
        InputError: too many pixels or pieces (a possible bomb), or the budget ran out.
    """
    check_structure(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # capped below
            image = Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError as err:
        raise InputError(bomb_message()) from err
    except Exception as err:  # Pillow raises many kinds (OSError, SyntaxError, struct.error...)
        raise UnreadableError(not_an_image_message(data)) from err

    with image:
        _check_size(image, max_pixels, where)
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
            elif draft_size is not None:
                image.draft(None, draft_size)
        if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone switched it on globally; do not trust it
            raise InputError("Image decoding is misconfigured (LOAD_TRUNCATED_IMAGES is on).")
        if budget is not None:
            budget.spend(image.size[0] * image.size[1], where or "the image")
        try:
            image.load()  # the first frame only, for animated GIF/WebP and multi-page TIFF
        except Image.DecompressionBombError as err:
            raise InputError(bomb_message()) from err
        except Exception as err:
            raise UnreadableError(broken_message(image.format, err)) from err
        image = _apply_exif_orientation(image)
        try:
            return Decoded(*image_to_rgb(image))
        except InputError as err:
            raise UnreadableError(str(err)) from err
        except Exception as err:
            raise UnreadableError(broken_message(image.format, err)) from err


def _check_size(image: Image.Image, max_pixels: int, where: str | None) -> None:
    """Refuse absurd declared sizes before a single pixel is decoded."""
    width, height = image.size
    if where is not None and width * height > max_pixels:
        raise InputError(
            f"Image {where!r} is {width}×{height} = {width * height:,} pixels; the "
            f"limit is {max_pixels:,} pixels per image. Resize it first."
        )
    if width < 1 or height < 1:
        raise InputError(f"The image says it is {width}×{height} pixels, which is empty.")
    if max(width, height) > MAX_DIMENSION:
        raise InputError(
            f"The image is {width}×{height} pixels; sides longer than {MAX_DIMENSION} pixels "
            "are not accepted. Please shrink it first."
        )
    limit = max_pixels
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
