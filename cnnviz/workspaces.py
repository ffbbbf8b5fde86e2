"""Workspaces: what one student owns on the server, found again by an unguessable key.

A workspace key (``new_key()``, 144 random bits as 24 URL-safe characters) travels in the
page URL, so a reload, a bookmark or the same link on another machine opens the same work.
Anyone holding the key can see and change the workspace: it is a capability, like a
shared-document link. Models in the :class:`cnnviz.store.ModelStore` and training jobs are
owned by the key; the workspace folder holds the rest::

    home/workspaces/<key>/.touched                 its mtime: when the workspace was last used
    home/workspaces/<key>/datasets/<digest>/archive.zip   an uploaded archive (+ .json)
    home/workspaces/<key>/jobs/<job id>.json       job records (cnnviz.training.records)

:func:`cleanup` deletes workspaces untouched for ``CNNVIZ_WORKSPACE_DAYS`` (models included)
and the leftovers of a crash (``.tmp-*`` folders, ``*.tmp`` files) once they are old enough
that no save can still be writing them; :func:`maybe_cleanup` runs it at most hourly.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cnnviz import config, limits
from cnnviz.errors import InputError

KEY_BYTES = 18  # 144 bits of randomness
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
TOUCH_FILE = ".touched"
DATASET_FILE = "archive.zip"  # kept by datasets.from_zip(keep="archive")
DATASET_OPTIONS = "archive.json"
TMP_MAX_AGE_SECONDS = 15 * 60  # a save older than this is not in progress any more
CLEANUP_EVERY_SECONDS = 3600.0
_LOG = logging.getLogger(__name__)
_TOUCHED: dict[str, float] = {}
_CLEANUP_LOCK = threading.Lock()
_last_cleanup = 0.0


def new_key() -> str:
    """A fresh workspace key: 144 random bits, URL-safe (24 characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


def is_valid_key(key: object) -> bool:
    """True for a string that could be a workspace key (22-64 URL-safe characters)."""
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def root() -> Path:
    """Folder of all workspaces (``cnnviz.config.home() / "workspaces"``)."""
    return config.home() / "workspaces"


@dataclass(frozen=True)
class Workspace:
    """One student's workspace.

    Args:
        key: the workspace key (see :func:`new_key`).
        base: folder of all workspaces (default :func:`root`).

    Raises:
        InputError: when ``key`` is not a well-formed key.
    """

    key: str
    base: Path | None = None

    def __post_init__(self):
        if not is_valid_key(self.key):
            raise InputError(
                "This workspace key is not valid (a key is 22 or more letters, digits, '-' "
                "or '_'). Check the link, or start a new workspace."
            )

    @property
    def folder(self) -> Path:
        """The workspace's own folder (created on first use)."""
        return Path(self.base or root()) / self.key

    @property
    def datasets_dir(self) -> Path:
        """Uploaded datasets, one sub-folder per archive digest."""
        return self.folder / "datasets"

    @property
    def jobs_dir(self) -> Path:
        """Job records (see :mod:`cnnviz.training.records`)."""
        return self.folder / "jobs"

    def touch(self, every: float = 60.0) -> None:
        """Mark the workspace as used now (written at most every ``every`` seconds)."""
        now = time.time()
        if now - _TOUCHED.get(str(self.folder), 0.0) < every:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / TOUCH_FILE).touch()
        _TOUCHED[str(self.folder)] = now

    def last_used(self) -> float | None:
        """When the workspace was last used (a UNIX time), or None if it has no folder."""
        try:
            return (self.folder / TOUCH_FILE).stat().st_mtime
        except OSError:
            try:
                return self.folder.stat().st_mtime
            except OSError:
                return None

    def dataset_dir(self, digest: str) -> Path:
        """Where the uploaded archive with this digest (hex) is kept."""
        if not re.fullmatch(r"[0-9a-f]{8,64}", str(digest)):
            raise InputError(f"There is no uploaded dataset {digest!r}.")
        return self.datasets_dir / digest

    def datasets_bytes(self) -> int:
        """Bytes the uploaded datasets take on disk."""
        return _tree_bytes(self.datasets_dir)

    def usage(self, store=None) -> int:
        """Bytes the workspace uses: its models in ``store`` plus its datasets."""
        models = store.usage(self.key) if store is not None else 0
        return models + self.datasets_bytes()

    def check_quota(self, store=None, adding: int = 0) -> None:
        """Refuse ``adding`` more bytes when the quota would be exceeded (InputError)."""
        limits.check_quota(self.usage(store), adding)

    def saved_datasets(self) -> list[dict]:
        """Uploaded datasets kept in the workspace, newest first.

        Returns:
            ``[{"digest", "name", "path", "bytes", "created"}]``; half-written or damaged
            files are left out.
        """
        out = []
        if not self.datasets_dir.is_dir():
            return out
        for folder in self.datasets_dir.iterdir():
            path = folder / DATASET_FILE
            if not path.is_file():
                continue
            try:
                name = str(json.loads((folder / DATASET_OPTIONS).read_text("utf-8"))["name"])
            except (OSError, KeyError, ValueError, TypeError):
                continue  # half-written or damaged
            st = path.stat()
            out.append(
                {
                    "digest": folder.name,
                    "name": name,
                    "path": path,
                    "bytes": st.st_size,
                    "created": st.st_mtime,
                }
            )
        return sorted(out, key=lambda d: d["created"], reverse=True)

    def delete_dataset(self, digest: str) -> None:
        """Delete one uploaded dataset."""
        shutil.rmtree(self.dataset_dir(digest), ignore_errors=True)


def _tree_bytes(folder: Path) -> int:
    total = 0
    if not folder.exists():
        return 0
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            continue  # removed while we looked
    return total


def _remove_old_tmp(folder: Path, max_age: float, now: float) -> int:
    """Remove ``*.tmp`` files under ``folder`` older than ``max_age`` seconds."""
    removed = 0
    if not folder.exists():
        return 0
    for path in folder.rglob("*.tmp"):
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def cleanup(
    store=None,
    *,
    base: Path | None = None,
    max_age: float | None = None,
    tmp_age: float = TMP_MAX_AGE_SECONDS,
    now: float | None = None,
) -> dict[str, int]:
    """Delete stale workspaces (with their models) and crash leftovers.

    Args:
        store: the model store whose models belong to workspaces (None: models untouched).
        base: folder of all workspaces (default :func:`root`).
        max_age: seconds untouched before a workspace goes (default
            :func:`cnnviz.limits.workspace_max_age_seconds`; None there = never).
        tmp_age: seconds before a temporary file or folder counts as a crash leftover.
        now: the current UNIX time (for tests).

    Returns:
        Counts: ``{"workspaces", "models", "tmp"}`` removed.
    """
    base = Path(base or root())
    now = time.time() if now is None else now
    max_age = limits.workspace_max_age_seconds() if max_age is None else max_age
    counts = {"workspaces": 0, "models": 0, "tmp": 0}
    stale: set[str] = set()
    live: set[str] = set()
    if base.is_dir():
        for folder in base.iterdir():
            if not folder.is_dir() or not is_valid_key(folder.name):
                continue
            ws = Workspace(folder.name, base)
            used = ws.last_used() or 0.0
            if max_age is not None and now - used > max_age:
                stale.add(folder.name)
            else:
                live.add(folder.name)
                counts["tmp"] += _remove_old_tmp(folder, tmp_age, now)
    if store is not None:
        counts["tmp"] += store.cleanup_tmp(tmp_age, now=now)
        if max_age is not None:
            for meta in store.list(None):
                owner = str(meta.get("owner", ""))
                if owner in live:
                    continue
                created = float(meta.get("created_ts") or 0.0)
                if owner in stale or (is_valid_key(owner) and now - created > max_age):
                    try:
                        store.delete(meta["id"], owner)
                        counts["models"] += 1
                    except (InputError, OSError):
                        continue
    for key in stale:
        shutil.rmtree(base / key, ignore_errors=True)
        _TOUCHED.pop(str(base / key), None)
        counts["workspaces"] += 1
    if any(counts.values()):
        _LOG.info("workspace cleanup: %s", json.dumps(counts))
    return counts


def maybe_cleanup(store=None, every: float = CLEANUP_EVERY_SECONDS) -> dict[str, int] | None:
    """Run :func:`cleanup` if it has not run in this process for ``every`` seconds.

    Returns:
        The counts when it ran, else None.
    """
    global _last_cleanup
    now = time.time()
    if now - _last_cleanup < every or not _CLEANUP_LOCK.acquire(blocking=False):
        return None
    try:
        _last_cleanup = now
        return cleanup(store)
    except OSError as exc:  # a full or read-only disk must not break a page
        _LOG.warning("workspace cleanup failed: %s", exc)
        return None
    finally:
        _CLEANUP_LOCK.release()
