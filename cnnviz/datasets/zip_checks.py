"""Checks on a user's ``.zip`` before any entry is decoded, and reading one entry's bytes.

The archive's directory is validated first (names that escape the target folder, links and
special files, encryption, nested archives, file count, declared sizes and compression
ratios); each entry is then read under the same caps and its bytes checked for nested
archives. Every refusal is an ``InputError`` that names the problem and the entry.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


MiB = 1 << 20


# Folder entries allowed on top of the file cap before the directory is even parsed.
MAX_FOLDERS = 10_000


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

    max_archive_bytes: int = 256 * MiB
    max_files: int = 10_000
    max_total_bytes: int = 512 * MiB
    max_entry_bytes: int = 64 * MiB
    max_ratio: float = 100.0
    max_pixels: int = 40_000_000
    max_total_pixels: int = 1_000_000_000


def open_zip(source, limits: Limits) -> tuple[zipfile.ZipFile, str | None]:
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
                f"The archive is {path.stat().st_size / MiB:.0f} MB; "
                f"the limit is {limits.max_archive_bytes / MiB:.0f} MB."
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
            f"The archive is larger than the limit of {limits.max_archive_bytes / MiB:.0f} MB."
        )
    declared = declared_entries(data)
    if declared is not None and declared > limits.max_files + MAX_FOLDERS:
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


def declared_entries(data: bytes) -> int | None:
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


def is_ignored(parts: tuple[str, ...]) -> bool:
    """True for ``__MACOSX``, dotfiles, ``Thumbs.db`` and ``desktop.ini``."""
    return (
        any(p.startswith(".") or p == "__MACOSX" for p in parts)
        or parts[-1].lower() in _IGNORED_NAMES
    )


def check_entry(info: zipfile.ZipInfo, limits: Limits) -> None:
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
            f"Archive entry {name!r} is {info.file_size / MiB:.0f} MB uncompressed; "
            f"one file may be at most {limits.max_entry_bytes / MiB:.0f} MB."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MiB and ratio > limits.max_ratio:
        raise InputError(
            f"Archive entry {name!r} expands {ratio:.0f} times when unpacked, which is how "
            "zip bombs work; refused."
        )


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry's bytes, refused when damaged, larger than declared or a nested archive."""
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


def list_images(
    zf: zipfile.ZipFile, limits: Limits
) -> tuple[list[tuple[zipfile.ZipInfo, tuple[str, ...]]], list[str]]:
    """Check every entry; the image entries with their path parts, and the ignored files.

    Raises:
        InputError: too many files, too many bytes, an unsafe or nested-archive entry, or
            no image at all.
    """
    infos = zf.infolist()
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_files:
        raise InputError(f"The archive holds {len(files)} files; the limit is {limits.max_files}.")
    for info in infos:
        check_entry(info, limits)
    total = sum(i.file_size for i in files)
    if total > limits.max_total_bytes:
        raise InputError(
            f"The archive unpacks to {total / MiB:.0f} MB; the limit is "
            f"{limits.max_total_bytes / MiB:.0f} MB."
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
        if is_ignored(parts):
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
    return images, ignored
