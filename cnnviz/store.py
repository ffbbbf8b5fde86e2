"""The model store: trained and uploaded ``.keras`` models with their metadata, per workspace.

Layout on disk (``root`` defaults to ``cnnviz.config.home() / "models"``)::

    root/<id>/model.keras     the Keras model (inputs: pixels scaled as ``preprocessing`` says)
    root/<id>/meta.json       id, name, owner, shared, dataset, class names, input shape,
                              preprocessing, history, test metrics, status...
    root/<id>/snapshots.npz   optional epoch snapshots (kernels, predictions, Grad-CAM)

Writes are atomic: a model is written into a temporary folder that is renamed into place,
and metadata changes replace ``meta.json`` with ``os.replace``. A lock (a thread lock plus
an advisory file lock where the OS has one) serialises changes, so concurrent students and
server processes never see half-written models.

A workspace (``owner``, see :mod:`cnnviz.workspaces`) sees its own models and those marked
shared; only the owner may rename, share or delete a model. Loaded models are cached in
memory per id (bounded by count and weight bytes) and are read-only for everyone.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import shutil
import threading
import time
import uuid
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cnnviz import config
from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel
from cnnviz.preprocessing import Preprocessing, unit

MODEL_FILE = "model.keras"
META_FILE = "meta.json"
SNAPSHOTS_FILE = "snapshots.npz"
MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # a .keras upload
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # everything inside it
MAX_NAME_LENGTH = 80
CACHE_SIZE = 8
CACHE_MAX_BYTES = 256 * 1024 * 1024  # weights kept in memory across all cached models
MAX_RATIO = 10.0  # uncompressed / compressed size of one entry (Keras itself stores, ratio 1)
MAX_ASSETS_BYTES = 8 * 1024 * 1024  # vocabularies and the like; image classifiers have none
MAX_CONFIG_BYTES = 4 * 1024 * 1024
_SLACK = 1024 * 1024  # HDF5 headers and small tables
_ID = re.compile(r"^[0-9a-f]{12}$")

try:  # advisory lock between processes serving the same store (POSIX only)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


@dataclass
class StoredModel(ImageModel):
    """A model from the store, ready for the inspection pages (an :class:`ImageModel`).

    ``info`` holds the stored metadata (see :class:`ModelStore`).
    """

    @property
    def id(self) -> str:
        """The store id."""
        return str(self.info.get("id", ""))

    @property
    def owner(self) -> str:
        """The workspace that trained or uploaded it."""
        return str(self.info.get("owner", ""))

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of the model input."""
        return tuple(int(v) for v in self.info.get("input_shape", (*self.input_size, 3)))


def last_spatial_layer(model) -> str | None:
    """Name of the last layer with a 4-D output whose height and width are above 1.

    Nested models are searched too (their inner layer wins). Returns None when there is
    none (e.g. a dense-only network).
    """
    for layer in reversed(getattr(model, "layers", [])):
        if hasattr(layer, "layers") and layer.layers:
            inner = last_spatial_layer(layer)
            if inner:
                return inner
            continue
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4 and all(d is None or d > 1 for d in shape[1:3]):
            return layer.name
    return None


def _jsonable(value):
    """Plain JSON types: numpy scalars/arrays converted, NaN/inf → None, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _read_source(source: bytes | str | os.PathLike | BinaryIO, limit: int) -> bytes:
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


def _check_keras_zip(data: bytes) -> None:
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


def _load_keras_file(path: Path):
    """``keras.saving.load_model`` with ``safe_mode=True``, errors turned into InputError."""
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # every failure is a problem with the upload
        text = str(exc)
        if "safe_mode" in text or "Lambda" in text or "lambda" in text:
            raise InputError(
                "This model contains Python code (a Lambda layer or a lambda function), "
                "which cannot be loaded safely, so it was refused."
            ) from None
        unknown_markers = ("Could not locate", "Could not deserialize", "Unknown", "custom")
        if any(m.lower() in text.lower() for m in unknown_markers):
            raise InputError(
                "This model uses custom layers or functions that cnnviz does not know "
                "(only built-in Keras layers can be loaded). Details: "
                f"{text.splitlines()[0][:200]}"
            ) from None
        raise InputError(
            f"Keras could not read this model file ({type(exc).__name__}: "
            f"{text.splitlines()[0][:200] if text else 'no details'})."
        ) from None


def _classifier_shape(model) -> tuple[tuple[int, int, int], int]:
    """((H, W, C), outputs) of an image classifier, or InputError saying why it is not one."""
    inputs = getattr(model, "inputs", None) or []
    outputs = getattr(model, "outputs", None) or []
    if len(inputs) != 1 or len(outputs) != 1:
        raise InputError(
            "Only models with one image input and one output can be explored here; this one "
            f"has {len(inputs)} inputs and {len(outputs)} outputs."
        )
    shape = tuple(inputs[0].shape)
    if len(shape) != 4:
        raise InputError(
            f"This model's input has shape {shape}; an image classifier takes a batch of "
            "images (batch, height, width, channels)."
        )
    h, w, c = shape[1:]
    if h is None or w is None or c not in (1, 3):
        raise InputError(
            f"This model's input is {h}×{w}×{c}; it needs a fixed height and width and 1 "
            "(grayscale) or 3 (RGB) channels."
        )
    out = tuple(outputs[0].shape)
    if len(out) != 2 or not out[1]:
        raise InputError(
            f"This model's output has shape {out}; a classifier gives (batch, classes)."
        )
    return (int(h), int(w), int(c)), int(out[1])


_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
_CACHE: OrderedDict[tuple[str, str], object] = OrderedDict()
_CACHE_LOCK = threading.Lock()


class ModelStore:
    """Saved models with metadata, isolated per workspace.

    Args:
        root: folder of the store (created if missing); default
            ``cnnviz.config.home() / "models"``.

    Metadata keys (``meta.json``): ``id, name, created`` (ISO time), ``owner, shared,
    status`` (``finished``/``stopped``/``uploaded``), ``architecture`` (name or layer
    spec), ``dataset`` (``{"name", "options"}`` or None), ``class_names, input_shape``
    ([H, W, C]), ``preprocessing`` (``Preprocessing.to_dict()``), ``history`` (per-epoch
    lists), ``test_metrics`` (``{"loss", "accuracy", ...}``), plus anything else given.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else config.home() / "models"
        self.root.mkdir(parents=True, exist_ok=True)
        key = str(self.root.resolve())
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(key, threading.RLock())
        self._key = key

    # ---- internals ----------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        with self._lock:
            if fcntl is None:
                yield
                return
            with open(self.root / ".lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _dir(self, model_id: str) -> Path:
        if not isinstance(model_id, str) or not _ID.match(model_id):
            raise InputError(f"There is no model with id {model_id!r}.")
        return self.root / model_id

    def _read_meta(self, model_id: str) -> dict:
        path = self._dir(model_id) / META_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                f"There is no model with id {model_id!r} (it may be deleted)."
            ) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"The metadata of model {model_id!r} is unreadable: {exc}") from None

    @staticmethod
    def _write_json(path: Path, data: dict) -> None:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(_jsonable(data), indent=1, allow_nan=False), encoding="utf-8")
        os.replace(tmp, path)

    @staticmethod
    def _visible(meta: dict, owner: str | None) -> bool:
        return owner is None or meta.get("owner") == owner or bool(meta.get("shared"))

    def _visible_meta(self, model_id: str, owner: str | None) -> dict:
        meta = self._read_meta(model_id)
        if not self._visible(meta, owner):
            # Same message as a missing model: other sessions' ids reveal nothing.
            raise InputError(f"There is no model with id {model_id!r} (it may be deleted).")
        return meta

    def _owned_meta(self, model_id: str, owner: str, action: str) -> dict:
        meta = self._visible_meta(model_id, owner)
        if meta.get("owner") != owner:
            raise InputError(
                f"Only the workspace that created “{meta.get('name')}” may {action} it."
            )
        return meta

    def _new_tmp(self) -> Path:
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        return tmp

    def _commit(self, tmp: Path, meta: dict) -> str:
        """Write meta.json into ``tmp`` and move the folder into place under a fresh id."""
        with self._locked():
            while True:
                model_id = uuid.uuid4().hex[:12]
                if not (self.root / model_id).exists():
                    break
            meta = {**meta, "id": model_id}
            self._write_json(tmp / META_FILE, meta)
            os.rename(tmp, self.root / model_id)
        return model_id

    # ---- public API -----------------------------------------------------------------

    def save(self, model, metadata: dict) -> str:
        """Save a Keras model with its metadata, atomically.

        Args:
            model: a Keras model (inputs scaled as ``metadata["preprocessing"]`` says).
            metadata: at least ``name`` and ``owner``; ``class_names``, ``input_shape``,
                ``preprocessing`` are filled from the model when missing.

        Returns:
            The new model id.
        """
        meta = dict(metadata)
        if not meta.get("owner"):
            raise InputError("A saved model needs an owner (the workspace key).")
        if meta.get("kind") == "autoencoder":  # image in, image out: no classes to check
            h, w, c = (int(v) for v in model.inputs[0].shape[1:])
            units = 0
        else:
            (h, w, c), units = _classifier_shape(model)
        meta["name"] = self._clean_name(meta.get("name") or "model")
        meta.setdefault("input_shape", [h, w, c])
        meta.setdefault("class_names", [f"class_{i}" for i in range(max(units, 2))])
        meta.setdefault("preprocessing", unit(grayscale=c == 1).to_dict())
        meta.setdefault("shared", False)
        meta.setdefault("status", "finished")
        meta.setdefault("history", {})
        meta.setdefault("test_metrics", {})
        meta.setdefault("params", int(model.count_params()))
        meta["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        meta["created_ts"] = time.time()
        tmp = self._new_tmp()
        try:
            model.save(tmp / MODEL_FILE)
            return self._commit(tmp, meta)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def list(self, owner: str | None = None) -> list[dict]:
        """Metadata of the models ``owner`` may see (own + shared), newest first.

        Args:
            owner: a workspace key; None lists every model (for scripts).
        """
        out = []
        for path in self.root.iterdir():
            if not path.is_dir() or not _ID.match(path.name):
                continue
            try:
                meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # being deleted, or damaged: skip
            if self._visible(meta, owner):
                out.append(meta)
        return sorted(out, key=lambda m: m.get("created_ts", 0), reverse=True)

    def info(self, model_id: str, owner: str | None = None) -> dict:
        """Metadata of one model visible to ``owner``."""
        return self._visible_meta(model_id, owner)

    def load(self, model_id: str, owner: str | None = None) -> StoredModel:
        """Load a model visible to ``owner`` (cached; never mutate the Keras model).

        Returns:
            A :class:`StoredModel` for the inspection pages.
        """
        meta = self._visible_meta(model_id, owner)
        model = self._keras_model(model_id)
        shape = meta.get("input_shape") or list(_classifier_shape(model)[0])
        return StoredModel(
            name=str(meta.get("name", model_id)),
            model=model,
            input_size=(int(shape[0]), int(shape[1])),
            preprocessing=Preprocessing.from_dict(meta.get("preprocessing") or unit().to_dict()),
            class_names=[str(c) for c in meta.get("class_names", [])],
            last_conv_layer=last_spatial_layer(model),
            outputs_logits=False,
            info=meta,
        )

    def _keras_model(self, model_id: str):
        key = (self._key, model_id)
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        model = _load_keras_file(self._dir(model_id) / MODEL_FILE)
        with _CACHE_LOCK:
            model = _CACHE.setdefault(key, model)
            _CACHE.move_to_end(key)
            # Bounded by count and by weight bytes: big uploads do not stay resident forever.
            while len(_CACHE) > 1 and (
                len(_CACHE) > CACHE_SIZE
                or sum(_model_bytes(m) for m in _CACHE.values()) > CACHE_MAX_BYTES
            ):
                _CACHE.popitem(last=False)
        return model

    def _update(self, model_id: str, owner: str, action: str, **changes) -> dict:
        with self._locked():
            meta = self._owned_meta(model_id, owner, action)
            meta.update(changes)
            self._write_json(self._dir(model_id) / META_FILE, meta)
        return meta

    @staticmethod
    def _clean_name(name: str) -> str:
        name = " ".join(str(name).split())
        if not name:
            raise InputError("A model name cannot be empty.")
        if len(name) > MAX_NAME_LENGTH:
            raise InputError(f"A model name can have at most {MAX_NAME_LENGTH} characters.")
        return name

    def rename(self, model_id: str, name: str, owner: str) -> dict:
        """Rename a model; only its owner may. Returns the new metadata."""
        return self._update(model_id, owner, "rename", name=self._clean_name(name))

    def set_shared(self, model_id: str, shared: bool, owner: str) -> dict:
        """Share a model with every workspace (or stop sharing it); only its owner may."""
        return self._update(model_id, owner, "share", shared=bool(shared))

    def set_labels(
        self,
        model_id: str,
        owner: str,
        class_names: list[str] | None = None,
        preprocessing: Preprocessing | None = None,
    ) -> dict:
        """Correct the class names or preprocessing of a model (e.g. after an upload)."""
        meta = self.info(model_id, owner)
        changes = {}
        if class_names is not None:
            changes["class_names"] = _check_class_names(class_names, len(meta["class_names"]))
        if preprocessing is not None:
            _check_preprocessing(preprocessing, int(meta["input_shape"][2]))
            changes["preprocessing"] = preprocessing.to_dict()
        return self._update(model_id, owner, "edit", **changes)

    def delete(self, model_id: str, owner: str) -> None:
        """Delete a model; only its owner may."""
        with self._locked():
            self._owned_meta(model_id, owner, "delete")
            trash = self.root / f".trash-{uuid.uuid4().hex}"
            os.rename(self._dir(model_id), trash)  # disappears atomically for readers
        shutil.rmtree(trash, ignore_errors=True)
        with _CACHE_LOCK:
            _CACHE.pop((self._key, model_id), None)

    def save_snapshots(self, model_id: str, arrays: dict[str, np.ndarray]) -> None:
        """Store a model's epoch snapshots (``snapshots.npz`` beside the model, atomically).

        Args:
            model_id: an existing model.
            arrays: from :meth:`cnnviz.training.snapshots.EpochSnapshots.arrays`.
        """
        folder = self._dir(model_id)
        self._read_meta(model_id)  # exists
        tmp = folder / f".{SNAPSHOTS_FILE}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(tmp, folder / SNAPSHOTS_FILE)

    def load_snapshots(self, model_id: str, owner: str | None = None) -> dict | None:
        """The epoch snapshots of a visible model, or None when it has none."""
        self._visible_meta(model_id, owner)
        path = self._dir(model_id) / SNAPSHOTS_FILE
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InputError(f"The epoch snapshots of model {model_id!r} are unreadable.") from exc

    def model_bytes(self, model_id: str, owner: str | None = None) -> bytes:
        """The ``.keras`` file of a visible model, for a download button."""
        self._visible_meta(model_id, owner)
        return (self._dir(model_id) / MODEL_FILE).read_bytes()

    def import_keras(
        self,
        source: bytes | str | os.PathLike | BinaryIO,
        owner: str,
        name: str | None = None,
        class_names: list[str] | None = None,
        preprocessing: Preprocessing | None = None,
    ) -> str:
        """Add an uploaded ``.keras`` model, loaded with ``safe_mode=True``.

        Args:
            source: the file as bytes, a path or a file object.
            owner: the uploading workspace.
            name: shown name (default: "uploaded model").
            class_names: one per class; default ``class_0, class_1, ...``.
            preprocessing: how pixels 0..255 become model input; default
                ``unit(grayscale=...)`` (0..1, the model's number of channels).

        Returns:
            The new model id.

        Raises:
            InputError: not a ``.keras`` zip, too large, a Lambda layer or unknown custom
                objects, not an image classifier, or class names / preprocessing that do
                not fit the model.
        """
        data = _read_source(source, MAX_UPLOAD_BYTES)
        _check_keras_zip(data)
        tmp = self._new_tmp()
        try:
            path = tmp / MODEL_FILE
            path.write_bytes(data)
            model = _load_keras_file(path)
            (h, w, c), units = _classifier_shape(model)
            n_classes = 2 if units == 1 else units
            names = (
                _check_class_names(class_names, n_classes)
                if class_names
                else [f"class_{i}" for i in range(n_classes)]
            )
            pre = preprocessing or unit(grayscale=c == 1)
            _check_preprocessing(pre, c)
            meta = {
                "name": self._clean_name(name or "uploaded model"),
                "owner": owner,
                "shared": False,
                "status": "uploaded",
                "source": "upload",
                "architecture": getattr(model, "name", "uploaded"),
                "dataset": None,
                "class_names": names,
                "input_shape": [h, w, c],
                "preprocessing": pre.to_dict(),
                "history": {},
                "test_metrics": {},
                "params": int(model.count_params()),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "created_ts": time.time(),
            }
            model_id = self._commit(tmp, meta)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        # Not cached: the model is loaded again when a page uses it, so an upload nobody
        # looks at leaves no memory behind.
        del model
        return model_id

    def usage(self, owner: str) -> int:
        """Bytes on disk of the models ``owner`` created (shared ones of others excluded)."""
        total = 0
        for meta in self.list(owner):
            if meta.get("owner") != owner:
                continue
            folder = self.root / str(meta.get("id"))
            for path in folder.glob("*"):
                with contextlib.suppress(OSError):
                    total += path.stat().st_size
        return total

    def cleanup_tmp(self, max_age: float = 900.0, now: float | None = None) -> int:
        """Remove what a crash left behind: ``.tmp-*``/``.trash-*`` folders, ``*.tmp`` files.

        Only leftovers older than ``max_age`` seconds go, so a save in progress is kept.

        Returns:
            How many were removed.
        """
        now = time.time() if now is None else now
        removed = 0
        candidates = [*self.root.glob(".tmp-*"), *self.root.glob(".trash-*")]
        candidates += self.root.glob("*/.*.tmp")
        for path in candidates:
            try:
                if now - path.stat().st_mtime <= max_age:
                    continue
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed += 1
            except OSError:
                continue
        return removed


def _model_bytes(model) -> int:
    """Bytes of a Keras model's weights (float32 assumed where unknown)."""
    try:
        return int(model.count_params()) * 4
    except (AttributeError, ValueError):
        return 0


def _check_class_names(names, expected: int) -> list[str]:
    names = [str(n).strip() for n in names]
    if len(names) != expected or not all(names):
        raise InputError(
            f"The model has {expected} classes; give exactly {expected} non-empty class names "
            f"(got {len([n for n in names if n])})."
        )
    if len(set(names)) != len(names):
        raise InputError("Class names must be different from each other.")
    return names


def _check_preprocessing(pre: Preprocessing, channels: int) -> None:
    if pre.channels != channels:
        raise InputError(
            f"The model takes {channels}-channel images but the preprocessing "
            f"“{pre.mode}” gives {pre.channels} channel(s)."
        )
