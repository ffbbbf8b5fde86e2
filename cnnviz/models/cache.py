"""The one cache of things derived from a model (sub-models, traces, compiled functions).

Built on :class:`cnnviz.caching.LRU`. Keys start with the model object's identity and the
entry keeps the model alive, so ``id`` reuse by a new model can never return a stale entry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cnnviz.caching import LRU


class ModelCache:
    """A small LRU cache of things derived from a model. Thread-safe.

    Args:
        maxsize: entries kept; the least recently used is dropped first.
    """

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._lru = LRU(maxsize)
        # The identity check and the rebuild are one step (an RLock: builds may nest).
        self._lock = threading.RLock()

    def get(self, model: Any, key: tuple, build: Callable[[], Any]) -> Any:
        """Return the entry for ``(model, *key)``, building it with ``build()`` if missing."""
        full = (id(model), *key)
        with self._lock:
            hit = self._lru.get(full)
            if hit is not None and hit[0] is model:
                return hit[1]
            return self._lru.put(full, (model, build()))[1]

    def clear(self) -> None:
        """Forget everything."""
        self._lru.clear()


# Traces and sub-models of every model the inspection modules look at.
MODEL_CACHE = ModelCache(maxsize=32)


def clear_cache() -> None:
    """Drop every cached sub-model (tests; or after a model is deleted from the store)."""
    MODEL_CACHE.clear()
