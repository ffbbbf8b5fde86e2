"""What a workspace's models take on disk (the quota counts it), cached per model folder."""

from __future__ import annotations

import contextlib
from pathlib import Path

from cnnviz.caching import LRU
from cnnviz.store.meta import CACHE_ENTRIES, stamp

META_FILE = "meta.json"
_SIZE_CACHE = LRU(CACHE_ENTRIES)  # folder -> (identity, bytes)


def folder_bytes(folder: Path) -> int:
    """Bytes of the files in a model folder (cached until its meta.json or its entries change).

    A file added later (the epoch snapshots) changes the folder's own mtime.
    """
    try:
        identity = (*stamp(folder / META_FILE), folder.stat().st_mtime_ns)
    except OSError:
        identity = None
    hit = _SIZE_CACHE.get(str(folder))
    if identity is not None and hit is not None and hit[0] == identity:
        return hit[1]
    total = 0
    for path in folder.glob("*"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    if identity is not None:
        _SIZE_CACHE.put(str(folder), (identity, total))
    return total


def owner_bytes(root: Path, metas: list[dict], owner: str) -> int:
    """Bytes on disk of the models ``owner`` created, among ``metas`` (others' excluded)."""
    return sum(
        folder_bytes(Path(root) / str(meta.get("id")))
        for meta in metas
        if meta.get("owner") == owner
    )
