"""Messages a student reads when a file is not an image, is damaged, or is a bomb."""

from __future__ import annotations

_FORMATS_TEXT = "PNG, JPEG, WebP, BMP, GIF or TIFF"


# Magic numbers of things students commonly upload by mistake, to name them in the message.
_KNOWN_NON_IMAGES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"8BPS", "a Photoshop file"),
    (b"\x00\x00\x01\x00", "an icon (.ico) file"),
)


def bomb_message() -> str:
    """The refusal of a decompression bomb."""
    return (
        "The image claims far more pixels than it could plausibly contain (a 'decompression "
        "bomb'), so it was not opened. Please use an ordinary photo."
    )


def broken_message(image_format: str | None, err: Exception) -> str:
    """A damaged or truncated file of a known format."""
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


def sniff_image_format(data: bytes) -> str | None:
    """The image format the bytes start like (``"PNG"``...), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    for magic, name in _IMAGE_SIGNATURES:
        # A BMP header has four reserved zero bytes: do not call any text starting "BM" a BMP.
        if data.startswith(magic) and (name != "BMP" or data[6:10] == b"\0\0\0\0"):
            return name
    return None


def not_an_image_message(data: bytes) -> str:
    """What the bytes look like instead of an image, and what to upload."""
    image_format = sniff_image_format(data)
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
