"""MNIST, Fashion-MNIST and CIFAR-10 from the Keras cache, downloaded on first use.

The files, their names and their places are exactly those of ``keras.datasets`` (so a file
fetched by either is found by both): ``<KERAS_HOME>/datasets/mnist.npz``,
``<KERAS_HOME>/datasets/fashion-mnist/*-idx*-ubyte.gz`` and
``<KERAS_HOME>/datasets/cifar-10-batches-py-target_archive`` (the ``cifar-10-python.tar.gz``
tarball; under its own name too). ``KERAS_HOME`` defaults to ``~/.keras``.

The download here reports progress to a callback (Keras only prints a progress bar), checks
the SHA-256 that Keras checks, and writes atomically. With no network it raises ``InputError``
saying which file to place in which folder. Files already in the cache are read without the
network, and the CIFAR pickles are unpickled with a whitelist (numpy arrays only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cnnviz import downloads
from cnnviz.datasets.keras_readers import CIFAR_MEMBERS, read_cifar, read_fashion, read_mnist
from cnnviz.downloads import keras_home
from cnnviz.errors import InputError, network_problem

ProgressCallback = downloads.Progress
"""``progress(fraction in 0..1 or None when unknown, message)``."""

# Keras itself falls back to this folder when its home is not writable.
FALLBACK_HOME = Path("/tmp") / ".keras"
_KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset in the Keras cache.

    Attributes:
        subdir: folder inside the Keras home (``datasets`` or ``datasets/fashion-mnist``).
        name: the file name Keras gives it in the cache.
        url: where it is downloaded from.
        sha256: expected checksum of a download (None: not checked, as in Keras).
        aliases: other names accepted in the same folder (e.g. the original tarball name).
    """

    subdir: str
    name: str
    url: str
    sha256: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def shown_name(self) -> str:
        """The name a student should save the downloaded file as."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class Source:
    """The files of one dataset and its approximate download size."""

    files: tuple[RemoteFile, ...]
    download_mb: float


SOURCES: dict[str, Source] = {
    "mnist": Source(
        (
            RemoteFile(
                "datasets",
                "mnist.npz",
                _KERAS_URL + "mnist.npz",
                "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
            ),
        ),
        11.5,
    ),
    "fashion_mnist": Source(
        tuple(
            RemoteFile("datasets/fashion-mnist", name, _KERAS_URL + name)
            for name in (
                "train-labels-idx1-ubyte.gz",
                "train-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz",
            )
        ),
        30.0,
    ),
    "cifar10": Source(
        (
            RemoteFile(
                "datasets",
                "cifar-10-batches-py-target_archive",
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                aliases=("cifar-10-python.tar.gz",),
            ),
        ),
        163.0,
    ),
}


def _homes() -> list[Path]:
    return [keras_home(), FALLBACK_HOME]


def find(file: RemoteFile) -> Path | None:
    """Where a dataset file already is in the cache (any accepted name), or None."""
    for home in _homes():
        for name in (file.name, *file.aliases):
            path = home / file.subdir / name
            if path.is_file():
                return path
    return None


def _cifar_folder() -> Path | None:
    """The batches folder Keras extracts CIFAR-10 into, when it is there and complete."""
    for home in _homes():
        folder = home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
        if all((folder / m).is_file() for m in CIFAR_MEMBERS):
            return folder
    return None


def is_cached(name: str) -> bool:
    """True when dataset ``name`` can be read now without the network."""
    if name == "cifar10" and _cifar_folder() is not None:
        return True
    return all(find(f) is not None for f in SOURCES[name].files)


_NETWORK_ERRORS = downloads.NETWORK_ERRORS


def _offline_message(name: str, missing: list[RemoteFile], exc: BaseException) -> str:
    folder = keras_home() / missing[0].subdir
    files = ", ".join(f.shown_name for f in missing)
    urls = " ".join(f.url for f in missing)
    # Our own checks (checksum, disk) say it plainly already; network errors do not.
    reason = network_problem(exc) if isinstance(exc, _NETWORK_ERRORS) else str(exc)
    return (
        f"Could not download {files} for the {name} dataset: {reason}. "
        f"With no internet here, download {urls} on a computer that has it, then place "
        f"{'the file' if len(missing) == 1 else 'the files'} {files} in the folder {folder} "
        "(the Keras cache; set KERAS_HOME to use another folder) and try again. "
        "The shapes, digits and faces datasets work offline."
    )


def _download(file: RemoteFile, progress: ProgressCallback | None) -> Path:
    """Fetch one file into the Keras cache atomically; raises whatever the network raises."""
    home = keras_home()
    if not os.access(home if home.exists() else home.parent, os.W_OK):
        home = FALLBACK_HOME
    target = home / file.subdir / file.name
    return downloads.download(file.url, target, expected_hash=file.sha256, progress=progress)


def fetch(name: str, progress: ProgressCallback | None = None) -> list[Path]:
    """Paths of a dataset's files, downloading the missing ones.

    Args:
        name: ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"``.
        progress: called with (fraction or None, message) while downloading.

    Returns:
        One path per file of ``SOURCES[name]``.

    Raises:
        InputError: a download failed; the message names the files and the folder to put
            them in.
    """
    paths = []
    missing = [f for f in SOURCES[name].files if find(f) is None]
    for file in SOURCES[name].files:
        path = find(file)
        if path is None:
            if progress is not None:
                progress(0.0, f"Downloading {file.name} (first use of {name})...")
            try:
                path = _download(file, progress)
            except Exception as exc:  # any network / disk failure: tell the student what to do
                raise InputError(_offline_message(name, missing, exc)) from exc
            missing.remove(file)
        paths.append(path)
    return paths


def load_arrays(name: str, progress: ProgressCallback | None = None):
    """Train and test arrays of a Keras dataset, downloading it on first use.

    Args:
        name: ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"``.
        progress: called with (fraction or None, message) while downloading and reading.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: images (N, H, W, C) uint8 (28×28×1 or
        32×32×3), labels (N,) int64 in 0..9.

    Raises:
        InputError: unknown name, failed download (says which file to place where) or a
            damaged file.
    """
    if name not in SOURCES:
        raise InputError(f"Unknown Keras dataset {name!r}; choose one of {list(SOURCES)}.")
    extracted = name == "cifar10" and _cifar_folder() is not None
    paths = None if extracted else fetch(name, progress)
    if progress is not None:
        progress(None, f"Reading {name}...")
    if name == "mnist":
        return read_mnist(paths[0])
    if name == "fashion_mnist":
        return read_fashion(paths)
    return read_cifar(None if paths is None else paths[0], _cifar_folder())
