"""What every cache in cnnviz is built from: one digest and one thread-safe LRU.

Streamlit serves each session from its own thread, so every cache shared by sessions is
locked. Keys are digests of the arrays involved (stable across runs and processes), never
``id()`` of an array, which Python reuses.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np


def digest(*parts: Any, size: int = 16) -> str:
    """Hex digest of arrays, bytes and plain values, stable across runs and processes.

    An array contributes its shape, dtype and bytes, so two arrays with the same bytes but
    another shape or dtype differ.

    Args:
        *parts: numpy arrays (any shape), ``bytes``, or values whose ``repr`` is stable
            (numbers, strings, tuples of them).
        size: digest length in bytes (the hex string is twice as long).

    Returns:
        ``2 * size`` hex characters.
    """
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            h.update(b"A" + str((arr.shape, arr.dtype.str)).encode())
            h.update(arr.tobytes())
        elif isinstance(part, (bytes, bytearray, memoryview)):
            h.update(b"B" + bytes(part))
        else:
            h.update(b"R" + repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


class LRU:
    """A thread-safe least-recently-used cache.

    Args:
        maxsize: entries kept; the least recently used is dropped first.
    """

    def __init__(self, maxsize: int = 32) -> None:
        if maxsize < 1:
            raise ValueError(f"An LRU cache keeps at least 1 entry, got maxsize={maxsize}.")
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key``, dropping the oldest entries past ``maxsize``."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value under ``key``, built with ``build()`` and kept when missing.

        ``build`` runs under the cache's lock, so two threads asking for one key build it
        once; keep it short or key it finely.
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return self.put(key, build())

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
