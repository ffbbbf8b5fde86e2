import threading

import numpy as np
import pytest

from cnnviz.caching import LRU, digest


def test_digest_tells_shape_dtype_and_bytes_apart():
    a = np.arange(6, dtype=np.uint8)
    assert digest(a) == digest(a.copy())
    assert digest(a) != digest(a.reshape(2, 3))
    assert digest(a) != digest(a.astype(np.int8))
    assert digest(a) != digest(a.tobytes())
    assert digest(a, 1) != digest(a, 2)
    assert len(digest(a, size=8)) == 16


def test_digest_of_a_non_contiguous_view_equals_its_copy():
    a = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2]
    assert digest(a) == digest(np.ascontiguousarray(a))


def test_lru_drops_the_least_recently_used():
    cache = LRU(maxsize=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert cache.get("b", "missing") == "missing"


def test_get_or_build_builds_once_under_threads():
    cache = LRU(maxsize=4)
    calls = []

    def build():
        calls.append(1)
        return 42

    threads = [threading.Thread(target=cache.get_or_build, args=("k", build)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and cache.get("k") == 42


def test_lru_refuses_zero_size():
    with pytest.raises(ValueError):
        LRU(maxsize=0)
