"""Weight files of the downloadable models, in the Keras cache, and their one download.

Files live in ``$KERAS_HOME/models`` (by default ``~/.keras/models``, the folder Keras itself
uses; a temporary folder when that one cannot be written), fetched by
:func:`cnnviz.downloads.download`. With no network, :func:`offline_message` names the file to
place there by hand.
"""

from __future__ import annotations

import socket
from pathlib import Path

from cnnviz import downloads
from cnnviz.errors import InputError, network_problem
from cnnviz.pretrained.catalogue import ModelInfo, public


class WeightsMissingError(InputError):
    """A downloadable model's weight file is not here and could not be downloaded.

    The message is :func:`offline_message`'s (which file to place in which folder).

    Attributes:
        name: the catalogue key.
        reason: why the download failed, in plain words (e.g. ``"the server could not be
            reached (no internet connection here)"``).
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(public().offline_message(name, reason))
        self.name = name
        self.reason = reason


def keras_models_dir() -> Path:
    """Folder where the weight files of ``keras.applications`` models live (may not exist yet).

    ``$KERAS_HOME/models`` when ``KERAS_HOME`` is set, else ``~/.keras/models``; like Keras,
    ``/tmp/.keras/models`` when that folder cannot be written.
    """
    return downloads.writable_home() / "models"


def weights_path(name: str) -> Path | None:
    """Where the weight file of a downloadable model lives (None for the bundled model)."""
    entry = public().info(name)
    return None if entry.weight_file is None else public().keras_models_dir() / entry.weight_file


def is_cached(name: str) -> bool:
    """True when ``name`` loads without a download (bundled, or its weight file is present)."""
    path = public().weights_path(name)
    return path is None or path.is_file()


def missing_weights() -> list[ModelInfo]:
    """The downloadable models whose weight file is not in :func:`keras_models_dir` yet.

    Returns:
        Catalogue entries in catalogue order; empty when every model can run now.
    """
    return [entry for entry in public().available() if not public().is_cached(entry.key)]


def offline_message(name: str, reason: str = "") -> str:
    """The message shown when weights cannot be downloaded: which file to put where.

    The folder is the one of the computer that loads the model, named in the message: the
    server for its own pages and local workers, a lab computer for a Ray training there.
    """
    entry = public().info(name)
    why = f" ({reason})" if reason else ""
    return (
        f"{entry.title} needs its ImageNet weights ({entry.download_mb:g} MB), and they could "
        f"not be downloaded{why}. Without internet, copy the file {entry.weight_file} "
        f"(from {entry.weight_url}) into the folder {public().keras_models_dir()} on the "
        f"computer named {socket.gethostname()} (the one that loads the model), then try "
        "again. EfficientNet-Lite0 works without any download."
    )


def download_weights(
    name: str, progress: downloads.Progress | None = None, timeout: float = 30
) -> Path:
    """Make sure the weight file of ``name`` is in the Keras cache, downloading it if needed.

    The file is checked against the hash Keras publishes and moved into place only then (see
    :func:`cnnviz.downloads.download`), so a broken download never leaves a damaged file.

    Args:
        name: a downloadable model from :func:`cnnviz.pretrained.available`.
        progress: called as ``progress(fraction in 0..1 or None, message)`` while
            downloading.
        timeout: seconds to wait for the server before giving up.

    Returns:
        Path of the weight file.

    Raises:
        InputError: a bundled model. WeightsMissingError (an InputError): no network, server
            error or hash mismatch; the message says which file to place in which folder.
    """
    entry = public().info(name)
    if entry.weight_file is None:
        raise InputError(f"{entry.title} is bundled with cnnviz; it has nothing to download.")
    target = public().weights_path(name)
    if target.is_file():
        return target
    try:
        downloads.download(
            entry.weight_url,
            target,
            expected_hash=entry.weight_hash,
            progress=progress,
            timeout=timeout,
        )
    except downloads.NETWORK_ERRORS as exc:
        raise WeightsMissingError(name, network_problem(exc)) from exc
    except (OSError, ValueError) as exc:
        # cnnviz.downloads says "damaged" when the checksum does not match.
        reason = "the downloaded file is damaged" if "damaged" in str(exc) else None
        reason = reason or network_problem(exc)
        raise WeightsMissingError(name, reason) from exc
    return target
