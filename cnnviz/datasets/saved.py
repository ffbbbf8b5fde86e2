"""Saving a dataset's arrays to one compressed ``.npz`` file, and reading it back."""

from __future__ import annotations

import json
import os
import threading
import zipfile
from pathlib import Path

import numpy as np

from cnnviz.datasets.dataset import Dataset
from cnnviz.errors import InputError


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so readers never see half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save(dataset: Dataset, path: str | os.PathLike) -> Path:
    """Write a dataset's arrays to one compressed ``.npz`` file atomically (no pickles).

    Compressed because uploads of small images are resized up and repeat a lot: a 1.7 MB
    archive of tiny images takes a few MB on disk instead of over a hundred.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x_train": dataset.x_train,
        "y_train": dataset.y_train,
        "x_test": dataset.x_test,
        "y_test": dataset.y_test,
        "class_names": np.asarray(dataset.class_names, dtype=str),
        "name": np.asarray(dataset.name, dtype=str),
        "meta": np.asarray(
            json.dumps({"options": dataset.options, "notes": dataset.notes}, default=str)
        ),
    }
    for key in ("x_val", "y_val", "boxes_train", "boxes_test"):
        if getattr(dataset, key) is not None:
            arrays[key] = getattr(dataset, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_npz(path: str | os.PathLike) -> Dataset:
    """Read a dataset written by :func:`save`.

    Raises:
        InputError: when the file is missing or not a saved dataset.
    """
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {key: f[key] for key in f.files}
        ds = Dataset(
            name=str(data["name"]),
            x_train=data["x_train"],
            y_train=data["y_train"].astype(np.int64),
            x_test=data["x_test"],
            y_test=data["y_test"].astype(np.int64),
            class_names=[str(c) for c in data["class_names"]],
            x_val=data.get("x_val"),
            y_val=data.get("y_val"),
            boxes_train=data.get("boxes_train"),
            boxes_test=data.get("boxes_test"),
        )
        meta = json.loads(str(data["meta"])) if "meta" in data else {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"Could not read the saved dataset {Path(path).name} ({type(exc).__name__})."
        ) from None
    ds.options = {**meta.get("options", {}), "saved": str(path)}
    ds.notes = list(meta.get("notes", []))
    return ds
