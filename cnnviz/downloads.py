"""The Keras cache and the one downloader behind every dataset and weight file.

Files that Keras itself would download (its datasets, ``keras.applications`` weights) live
in the Keras cache, ``$KERAS_HOME`` or ``~/.keras``, so a file fetched by either Keras or
cnnviz is found by both. A teacher can also place a file there by hand on a machine with no
internet; the offline messages name the folder.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

# Called as progress(fraction in 0..1 or None when the size is unknown, message).
Progress = Callable[[float | None, str], None]

# Where Keras goes when the Keras cache cannot be written (it does the same).
FALLBACK_HOME = Path(tempfile.gettempdir()) / ".keras"

# What a download can raise when the network or the server fails.
NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError)


def keras_home() -> Path:
    """The Keras cache folder: ``$KERAS_HOME``, else ``~/.keras`` (read at each call)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def writable_home() -> Path:
    """The Keras cache, or :data:`FALLBACK_HOME` when the cache cannot be written."""
    home = keras_home()
    probe = home
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return home if os.access(probe, os.W_OK) else FALLBACK_HOME


def file_hash_ok(path: Path, expected: str | None) -> bool:
    """True when ``path`` has the expected SHA-256 (64 hex digits) or MD5 (32) digest.

    Keras publishes MD5 digests for its application weights and SHA-256 for its datasets.
    """
    if not expected:
        return True
    digest = hashlib.sha256() if len(expected) == 64 else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == expected


def download(
    url: str,
    target: Path,
    *,
    expected_hash: str | None = None,
    progress: Progress | None = None,
    timeout: float = 30,
) -> Path:
    """Fetch ``url`` into ``target`` atomically.

    The bytes go to a private temporary name beside ``target`` (two sessions downloading at
    once never mix their bytes), are checked against ``expected_hash``, then renamed into
    place, so a broken download never leaves a damaged file behind.

    Args:
        url: where the file is.
        target: where it must end up; its folder is created.
        expected_hash: SHA-256 or MD5 hex digest, or None to skip the check.
        progress: called as ``progress(fraction or None, message)`` while downloading.
        timeout: seconds to wait for the server.

    Returns:
        ``target``.

    Raises:
        OSError: the file could not be written, or its digest does not match (the message
            says "damaged").
        urllib.error.URLError, http.client.HTTPException, TimeoutError: the network failed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    part = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and str(length).isdigit() and int(length) else None
            done = 0
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    mb = f"{done / 1e6:.1f}" + (f" of {total / 1e6:.1f}" if total else "")
                    progress(done / total if total else None, f"Downloading {target.name}: {mb} MB")
        if not file_hash_ok(part, expected_hash):
            raise OSError(f"the download of {target.name} is damaged (checksum mismatch)")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target
