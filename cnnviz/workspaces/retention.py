"""How long workspaces are kept: stale ones and crash leftovers are deleted.

:func:`cleanup` deletes workspaces untouched for ``CNNVIZ_WORKSPACE_DAYS`` (models included)
and the leftovers of a crash once they are old enough that no save can still be writing
them; :func:`maybe_cleanup` runs it at most hourly.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path

from cnnviz import limits
from cnnviz.errors import InputError
from cnnviz.workspaces.workspace import Workspace, forget_touched, is_valid_key, root

TMP_MAX_AGE_SECONDS = 15 * 60  # a save older than this is not in progress any more
CLEANUP_EVERY_SECONDS = 3600.0
_LOG = logging.getLogger(__name__)
_CLEANUP_LOCK = threading.Lock()
_last_cleanup = 0.0


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
        forget_touched(base / key)
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
