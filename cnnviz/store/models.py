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

Every write reserves its bytes first (:func:`cnnviz.diskspace.reserve`: the workspace's quota,
the server's disk budget and its free space), so concurrent uploads cannot pass the quota.

A workspace (``owner``, see :mod:`cnnviz.workspaces`) sees its own models and those marked
shared; only the owner may rename, share or delete a model. Loaded models are cached in
memory per id (bounded by count and weight bytes) and are read-only for everyone.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
import uuid
from typing import BinaryIO

import numpy as np

from cnnviz import diskspace
from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing, unit
from cnnviz.store import uploads
from cnnviz.store.cache import cached_model, forget
from cnnviz.store.files import ID_PATTERN, META_FILE, MODEL_FILE, SNAPSHOTS_FILE, StoreFolder
from cnnviz.store.keras_files import (
    check_class_names,
    check_preprocessing,
    classifier_shape,
    load_keras_file,
)
from cnnviz.store.meta import read_json_cached
from cnnviz.store.quota import folder_bytes, owner_bytes
from cnnviz.store.stored import StoredModel, last_spatial_layer
from cnnviz.store.uploads import check_keras_zip, read_source

_META_ROOM = 16 * 1024  # meta.json beside a model: history, class names (a few KB)


def _free_models() -> None:
    """Free Keras models this module just let go of, with one full garbage collection.

    A Keras model is a web of reference cycles (layers, nodes, tensors, the model), so
    dropping the last name does not free its weights: only a full collection does. In the
    server those are rare (Streamlit's after-run collection is off, and TensorFlow's many
    long-lived objects put the next one far off), so every upload's weights stayed
    resident. One collection (~0.1 s) per upload or deletion of a loaded model is cheap
    beside loading the model.
    """
    gc.collect()


class ModelStore(StoreFolder):
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

    def save(self, model, metadata: dict, address: str | None = None) -> str:
        """Save a Keras model with its metadata, atomically, within the owner's quota.

        Args:
            model: a Keras model (inputs scaled as ``metadata["preprocessing"]`` says).
            metadata: at least ``name`` and ``owner``; ``class_names``, ``input_shape``,
                ``preprocessing`` are filled from the model when missing.
            address: the client's address when this is a new workspace's first save.

        Returns:
            The new model id.

        Raises:
            InputError: the workspace's quota, the server's disk budget or its free space
                would be passed (nothing is kept).
        """
        meta = dict(metadata)
        if not meta.get("owner"):
            raise InputError("A saved model needs an owner (the workspace key).")
        if meta.get("kind") == "autoencoder":  # image in, image out: no classes to check
            h, w, c = (int(v) for v in model.inputs[0].shape[1:])
            units = 0
        else:
            (h, w, c), units = classifier_shape(model)
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
        # Reserved before writing: the weights (the optimizer's state too, when it has
        # one), then the size actually written (checked again if it is more).
        variables = [*model.weights, *getattr(getattr(model, "optimizer", None), "variables", [])]
        estimate = sum(int(np.prod(v.shape)) * 4 for v in variables) + _META_ROOM
        with self._reserve(meta["owner"], estimate, address) as reservation:
            tmp = self._new_tmp()
            try:
                model.save(tmp / MODEL_FILE)
                reservation.resize(folder_bytes(tmp) + _META_ROOM)
                return self._commit(tmp, meta)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise

    def save_keras_bytes(self, data: bytes, metadata: dict, address: str | None = None) -> str:
        """Save a model trained elsewhere (a worker process, a Ray node) from its file.

        The server never loads the model: the ``.keras`` bytes are written as they came,
        with metadata that already names what :meth:`save` reads from a model.

        Args:
            data: the ``.keras`` file.
            metadata: at least ``name``, ``owner``, ``input_shape``, ``class_names`` and
                ``params``.
            address: the client's address when this is a new workspace's first save.

        Returns:
            The new model id.

        Raises:
            InputError: no owner, or the quota, the budget or the free space would be passed.
        """
        meta = dict(metadata)
        if not meta.get("owner"):
            raise InputError("A saved model needs an owner (the workspace key).")
        for needed in ("input_shape", "class_names", "params"):
            if needed not in meta:
                raise ValueError(f"save_keras_bytes needs {needed!r} in the metadata.")
        channels = int(meta["input_shape"][-1])
        meta["name"] = self._clean_name(meta.get("name") or "model")
        meta.setdefault("preprocessing", unit(grayscale=channels == 1).to_dict())
        meta.setdefault("shared", False)
        meta.setdefault("status", "finished")
        meta.setdefault("history", {})
        meta.setdefault("test_metrics", {})
        meta["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        meta["created_ts"] = time.time()
        with self._reserve(meta["owner"], len(data) + _META_ROOM, address):
            tmp = self._new_tmp()
            try:
                (tmp / MODEL_FILE).write_bytes(data)
                return self._commit(tmp, meta)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise

    def _reserve(self, owner: str, nbytes: int, address: str | None = None):
        """Reserve ``nbytes`` for a write of ``owner`` (see :func:`cnnviz.diskspace.reserve`)."""
        return diskspace.reserve(owner, nbytes, models=self, address=address)

    def list(self, owner: str | None = None) -> list[dict]:
        """Metadata of the models ``owner`` may see (own + shared), newest first.

        Args:
            owner: a workspace key; None lists every model (for scripts).
        """
        out = []
        for path in self.root.iterdir():
            if not path.is_dir() or not ID_PATTERN.match(path.name):
                continue
            try:
                meta = read_json_cached(path / META_FILE)
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
        shape = meta.get("input_shape") or list(classifier_shape(model)[0])
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
        return cached_model(
            (self._key, model_id), lambda: load_keras_file(self._dir(model_id) / MODEL_FILE)
        )

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
            changes["class_names"] = check_class_names(class_names, len(meta["class_names"]))
        if preprocessing is not None:
            check_preprocessing(preprocessing, int(meta["input_shape"][2]))
            changes["preprocessing"] = preprocessing.to_dict()
        return self._update(model_id, owner, "edit", **changes)

    def delete(self, model_id: str, owner: str) -> None:
        """Delete a model; only its owner may."""
        with self._locked():
            self._owned_meta(model_id, owner, "delete")
            trash = self.root / f".trash-{uuid.uuid4().hex}"
            os.rename(self._dir(model_id), trash)  # disappears atomically for readers
        shutil.rmtree(trash, ignore_errors=True)
        if forget((self._key, model_id)):
            _free_models()  # the cached model's weights go now, not at some later collection

    def save_snapshots(self, model_id: str, arrays: dict[str, np.ndarray]) -> None:
        """Store a model's epoch snapshots (``snapshots.npz`` beside the model, atomically).

        Args:
            model_id: an existing model.
            arrays: from :meth:`cnnviz.training.snapshots.EpochSnapshots.arrays`.
        """
        folder = self._dir(model_id)
        owner = str(self._read_meta(model_id).get("owner", ""))
        raw = sum(np.asarray(a).nbytes for a in arrays.values()) + _META_ROOM  # compressed ≤
        with self._reserve(owner, raw) as reservation:
            tmp = folder / f".{SNAPSHOTS_FILE}.{uuid.uuid4().hex}.tmp"
            try:
                with open(tmp, "wb") as handle:
                    np.savez_compressed(handle, **arrays)
                reservation.resize(tmp.stat().st_size)
                os.replace(tmp, folder / SNAPSHOTS_FILE)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

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

    def model_files(self, model_id: str, owner: str | None = None) -> dict[str, bytes]:
        """A visible model's folder as ``{file name: bytes}`` (model and metadata).

        What a worker on another machine needs to train the model further.
        """
        self._visible_meta(model_id, owner)
        folder = self._dir(model_id)
        return {name: (folder / name).read_bytes() for name in (MODEL_FILE, META_FILE)}

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
        address: str | None = None,
    ) -> str:
        """Add an uploaded ``.keras`` model, loaded with ``safe_mode=True``.

        Its bytes are reserved before it is written, so concurrent uploads of one workspace
        cannot pass its quota together.

        Args:
            source: the file as bytes, a path or a file object.
            owner: the uploading workspace.
            name: shown name (default: "uploaded model").
            class_names: one per class; default ``class_0, class_1, ...``.
            preprocessing: how pixels 0..255 become model input; default
                ``unit(grayscale=...)`` (0..1, the model's number of channels).
            address: the client's address when this is a new workspace's first save.

        Returns:
            The new model id.

        Raises:
            InputError: not a ``.keras`` zip, too large, a Lambda layer or unknown custom
                objects, not an image classifier, class names / preprocessing that do
                not fit the model; or the workspace's quota, the server's disk budget or
                its free space would be passed.
        """
        data = read_source(source, uploads.MAX_UPLOAD_BYTES)
        check_keras_zip(data)
        with self._reserve(owner, len(data) + _META_ROOM, address):
            model_id = self._write_upload(data, owner, name, class_names, preprocessing)
        return model_id

    def _write_upload(self, data, owner, name, class_names, preprocessing) -> str:
        """Write, load and check an upload, then commit it (its bytes already reserved)."""
        tmp = self._new_tmp()
        model = None
        try:
            path = tmp / MODEL_FILE
            path.write_bytes(data)
            model = load_keras_file(path)
            (h, w, c), units = classifier_shape(model)
            n_classes = 2 if units == 1 else units
            names = (
                check_class_names(class_names, n_classes)
                if class_names
                else [f"class_{i}" for i in range(n_classes)]
            )
            pre = preprocessing or unit(grayscale=c == 1)
            check_preprocessing(pre, c)
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
        finally:
            # Not cached: the model is loaded again when a page uses it. It was loaded only
            # to be checked, so its weights go now (see _free_models), accepted or refused.
            model = None
            _free_models()
        return model_id

    def usage(self, owner: str) -> int:
        """Bytes on disk of the models ``owner`` created (shared ones of others excluded)."""
        return owner_bytes(self.root, self.list(owner), owner)

    def total_bytes(self) -> int:
        """Bytes on disk of every model (the server's disk budget counts them)."""
        return sum(folder_bytes(self.root / str(meta.get("id"))) for meta in self.list(None))
