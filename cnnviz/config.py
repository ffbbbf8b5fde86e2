"""Paths and switches read from the environment, in one place."""

import os
from pathlib import Path


def home() -> Path:
    """Folder for the app's own files (model store, uploads); ``CNNVIZ_HOME`` overrides it.

    Returns:
        The folder, created if missing. Default: ``~/.cnnviz``.
    """
    root = Path(os.environ.get("CNNVIZ_HOME", Path.home() / ".cnnviz"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def fast_mode() -> bool:
    """True when ``CNNVIZ_FAST=1``: tests shorten optimisation loops; defaults stay tuned."""
    return os.environ.get("CNNVIZ_FAST", "") not in ("", "0", "false", "False")
