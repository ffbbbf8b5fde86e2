"""Reading an upload's bytes (bytes, a path or a file object), refusing empty and huge files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cnnviz.errors import InputError

#: Largest file accepted, in bytes (a 40-megapixel JPEG is well under this).
MAX_FILE_BYTES = 50 * 1024 * 1024


def read_bytes(source: Any) -> bytes:
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
