"""Loaded Keras models kept in memory, shared read-only by every session.

Bounded by count (:data:`CACHE_SIZE`) and by weight bytes (:data:`CACHE_MAX_BYTES`), so big
uploads do not stay resident forever. :class:`cnnviz.caching.LRU` bounds by count only,
hence this small ordered cache with the byte bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

CACHE_SIZE = 8
CACHE_MAX_BYTES = 256 * 1024 * 1024  # weights kept in memory across all cached models
_CACHE: OrderedDict[Hashable, object] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def model_bytes(model) -> int:
    """Bytes of a Keras model's weights (float32 assumed where unknown)."""
    try:
        return int(model.count_params()) * 4
    except (AttributeError, ValueError):
        return 0


def cached_model(key: Hashable, load: Callable[[], object]) -> object:
    """The model under ``key``, loaded with ``load()`` (outside the lock) when missing."""
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    model = load()
    with _CACHE_LOCK:
        model = _CACHE.setdefault(key, model)
        _CACHE.move_to_end(key)
        while len(_CACHE) > 1 and (
            len(_CACHE) > CACHE_SIZE
            or sum(model_bytes(m) for m in _CACHE.values()) > CACHE_MAX_BYTES
        ):
            _CACHE.popitem(last=False)
    return model


def forget(key: Hashable) -> bool:
    """Drop the model under ``key`` (a deleted model); True when one was cached."""
    with _CACHE_LOCK:
        return _CACHE.pop(key, None) is not None
