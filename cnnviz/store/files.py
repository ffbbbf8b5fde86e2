"""The store's folder on disk: model ids, locks, atomic commits, visibility and clean-up.

Writes are atomic: a model is written into a temporary folder that is renamed into place,
and metadata changes replace ``meta.json`` with ``os.replace``. A lock (a thread lock plus
an advisory file lock where the OS has one) serialises changes, so concurrent students and
server processes never see half-written models.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

from cnnviz import config
from cnnviz.errors import InputError
from cnnviz.store.meta import read_json_cached, write_json

MODEL_FILE = "model.keras"
META_FILE = "meta.json"
SNAPSHOTS_FILE = "snapshots.npz"
MAX_NAME_LENGTH = 80
ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")
"""What a model id looks like (12 hex digits; anything else is refused)."""
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()

try:  # advisory lock between processes serving the same store (POSIX only)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class StoreFolder:
    """The store's folder: ids, locks, atomic writes and who may see or change what.

    Args:
        root: folder of the store (created if missing); default
            ``cnnviz.config.home() / "models"``.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else config.home() / "models"
        self.root.mkdir(parents=True, exist_ok=True)
        key = str(self.root.resolve())
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(key, threading.RLock())
        self._key = key

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
        if not isinstance(model_id, str) or not ID_PATTERN.match(model_id):
            raise InputError(f"There is no model with id {model_id!r}.")
        return self.root / model_id

    def _read_meta(self, model_id: str) -> dict:
        path = self._dir(model_id) / META_FILE
        try:
            return read_json_cached(path)
        except FileNotFoundError:
            raise InputError(
                f"There is no model with id {model_id!r} (it may be deleted)."
            ) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"The metadata of model {model_id!r} is unreadable: {exc}") from None

    _write_json = staticmethod(write_json)

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
