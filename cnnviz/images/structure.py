"""Refusing files built from absurd numbers of tiny pieces, before Pillow parses them."""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.images.messages import sniff_image_format

#: Most JPEG scans (SOS markers) accepted; a progressive photo has about 10. A file with
#: thousands of tiny scans makes the decoder redo its work thousands of times.
MAX_JPEG_SCANS = 500


#: Most header pieces accepted (PNG chunks, JPEG segments before the first scan, GIF
#: extension sub-blocks before the first frame); real files have a few to a few thousand,
#: and Pillow needs about 7 µs per piece, so the limit bounds parsing to well under a second.
MAX_PIECES = 100_000


def check_structure(data: bytes) -> None:
    """Refuse files built from absurd numbers of tiny pieces, before Pillow parses them.

    Pillow walks PNG chunks, JPEG header segments and GIF extension blocks in Python, one
    piece at a time; a 50 MB file made of millions of 2-byte pieces would take it many
    seconds. Real files have at most a few thousand, so counting stops early and cheaply.
    """
    kind = sniff_image_format(data)
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
