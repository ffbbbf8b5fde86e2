"""Checking an uploaded ``.keras`` file before anything is extracted or loaded.

Only the zip's central directory, ``config.json`` and the weights file's HDF5 headers are
read, so memory stays flat while a zip bomb or a file that lies about its weights is refused.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cnnviz.errors import InputError

MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # a .keras upload
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # everything inside it
MAX_RATIO = 10.0  # uncompressed / compressed size of one entry (Keras itself stores, ratio 1)
MAX_ASSETS_BYTES = 8 * 1024 * 1024  # vocabularies and the like; image classifiers have none
MAX_CONFIG_BYTES = 4 * 1024 * 1024
_SLACK = 1024 * 1024  # HDF5 headers and small tables


def read_source(source: bytes | str | os.PathLike | BinaryIO, limit: int) -> bytes:
    """The bytes of an upload (bytes, a path or a file object), at most ``limit`` of them."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"No model file at {path}.")
        if path.stat().st_size > limit:
            raise InputError(f"The model file is larger than {limit // 2**20} MB.")
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(limit + 1)
    else:
        raise InputError("Give the model as bytes, a path or an uploaded file.")
    if len(data) > limit:
        raise InputError(f"The model file is larger than {limit // 2**20} MB.")
    return data


def _find_class_names(config_obj, wanted: str) -> bool:
    """True when any nested ``class_name`` in a Keras config equals ``wanted``."""
    if isinstance(config_obj, dict):
        if config_obj.get("class_name") == wanted:
            return True
        return any(_find_class_names(v, wanted) for v in config_obj.values())
    if isinstance(config_obj, list):
        return any(_find_class_names(v, wanted) for v in config_obj)
    return False


def _config_params_floor(config_obj) -> int:
    """A lower bound of the parameters a Keras config declares, without building it.

    Counts what certainly becomes a weight: Dense ``units``, convolution ``filters`` times
    the kernel's area, Embedding ``input_dim`` x ``output_dim``; nested configs included.
    """
    total = 0
    if isinstance(config_obj, list):
        return sum(_config_params_floor(v) for v in config_obj)
    if not isinstance(config_obj, dict):
        return 0
    cfg = config_obj.get("config")
    if isinstance(cfg, dict) and isinstance(config_obj.get("class_name"), str):

        def number(key, default=0):
            value = cfg.get(key, default)
            return int(value) if isinstance(value, (int, float)) and value > 0 else default

        kind = config_obj["class_name"]
        if kind == "Embedding":
            total += number("input_dim") * number("output_dim")
        elif "units" in cfg:
            total += number("units")
        elif "filters" in cfg:
            kernel = cfg.get("kernel_size", 1)
            area = math.prod(int(k) for k in kernel) if isinstance(kernel, list) else int(kernel)
            total += number("filters") * max(1, area)
    for value in config_obj.values():
        if isinstance(value, (dict, list)):
            total += _config_params_floor(value)
    return total


def _h5_declared_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Bytes the datasets in a weights file declare (shape x item size), read lazily."""
    import h5py

    total = 0

    def visit(_name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            total += int(np.prod(obj.shape, dtype=np.float64)) * obj.dtype.itemsize

    try:
        with zf.open(info) as raw, h5py.File(raw, "r") as h5:
            h5.visititems(visit)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise InputError(f"The weights file inside this .keras file is damaged ({exc}).") from None
    return total


def check_keras_zip(data: bytes) -> None:
    """Refuse what is not a small, sane ``.keras`` archive, before anything is extracted.

    Only the zip's central directory, ``config.json`` and the weights file's HDF5 headers
    are read: each entry's compression ratio, the total unpacked size, the assets' share,
    and the weights declared by the HDF5 datasets against the file's size and against the
    parameters the config declares. Memory stays flat while a bomb is refused.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(
            "This is not a .keras file (a .keras file is a zip archive). Save the model with "
            "model.save('name.keras') in Keras 3; older .h5 files are not supported."
        )
    mib = 2**20
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        by_name = {i.filename: i for i in infos}
        if "config.json" not in by_name:
            raise InputError("This zip has no config.json, so it is not a Keras 3 .keras model.")
        if len(infos) > 100:
            raise InputError("This .keras file contains too many entries to be a model.")
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > mib and ratio > MAX_RATIO:
                raise InputError(
                    f"“{info.filename}” inside this .keras file expands {ratio:.0f} times when "
                    "unpacked, which is how zip bombs work; refused."
                )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise InputError(
                f"This .keras file unpacks to {total / mib:.0f} MB; the limit is "
                f"{MAX_UNCOMPRESSED_BYTES // mib} MB."
            )
        weights = by_name.get("model.weights.h5")
        weights_size = weights.file_size if weights else 0
        assets = sum(i.file_size for i in infos if i.filename.startswith("assets/"))
        if assets > max(MAX_ASSETS_BYTES, weights_size // 4):
            raise InputError(
                f"This .keras file carries {assets / mib:.0f} MB of extra assets beside "
                f"{weights_size / mib:.1f} MB of weights; an image classifier needs none, so "
                "it was refused."
            )
        if by_name["config.json"].file_size > MAX_CONFIG_BYTES:
            raise InputError("The config.json inside this .keras file is too large for a model.")
        try:
            model_config = json.loads(zf.read("config.json"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError("The config.json inside this .keras file is not valid JSON.") from exc
        declared = _h5_declared_bytes(zf, weights) if weights else 0
        if declared > 2 * weights_size + _SLACK:
            raise InputError(
                f"The weights file inside this .keras file declares {declared / mib:.0f} MB of "
                f"weights but holds {weights_size / mib:.1f} MB; refused."
            )
        floor = 4 * _config_params_floor(model_config)  # float32 bytes at the very least
        if floor > 2 * declared + _SLACK:
            raise InputError(
                f"This model's config declares at least {floor / mib:.0f} MB of weights but the "
                f"file holds {declared / mib:.1f} MB; refused."
            )
    if _find_class_names(model_config, "Lambda"):
        raise InputError(
            "This model contains a Lambda layer (arbitrary Python code). For safety, models "
            "with Lambda layers cannot be uploaded; replace it with built-in layers."
        )
