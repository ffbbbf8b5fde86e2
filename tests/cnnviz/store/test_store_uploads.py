"""Hostile .keras uploads are refused from the zip directory and HDF5 headers alone."""

import io
import json
import tracemalloc
import zipfile

import h5py
import keras
import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.store import ModelStore

OWNER = "uploader-workspace-key-0001"
MiB = 1 << 20


def tiny_keras_bytes(tmp_path) -> bytes:
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    path = tmp_path / "tiny.keras"
    model.save(path)
    return path.read_bytes()


def rebuild(original: bytes, replace: dict, extra: dict | None = None, deflate=()) -> bytes:
    """A copy of a .keras zip with some entries replaced or added (streamed, no big buffers).

    ``replace``/``extra`` map names to bytes or to ``("zeros", n)`` for n zero bytes.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        entries = {i.filename: src.read(i) for i in src.infolist()}
        entries.update(replace)
        entries.update(extra or {})
        for name, data in entries.items():
            method = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
            if isinstance(data, tuple):
                info = zipfile.ZipInfo(name)
                info.compress_type = method
                with dst.open(info, "w", force_zip64=True) as f:
                    chunk = bytes(MiB)
                    for _ in range(data[1] // MiB):
                        f.write(chunk)
            else:
                dst.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def refused_with_flat_memory(store, data: bytes, match: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=match):
            store.import_keras(data, OWNER)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB + 2 * len(data), f"peak {peak / MiB:.0f} MiB while refusing"
    assert store.list(None) == []
    assert list(store.root.glob(".tmp-*")) == []  # nothing was extracted


@pytest.fixture
def store(tmp_path):
    return ModelStore(tmp_path / "models")


def test_weights_that_expand_like_a_bomb_are_refused(store, tmp_path):
    bomb = rebuild(
        tiny_keras_bytes(tmp_path),
        {"model.weights.h5": ("zeros", 200 * MiB)},
        deflate={"model.weights.h5"},
    )
    assert len(bomb) < 2 * MiB
    refused_with_flat_memory(store, bomb, "expands .* times")


def test_compressed_assets_are_refused(store, tmp_path):
    extra = {f"assets/blob{i}.bin": ("zeros", 40 * MiB) for i in range(5)}
    bomb = rebuild(tiny_keras_bytes(tmp_path), {}, extra, deflate=set(extra))
    assert len(bomb) < 2 * MiB
    refused_with_flat_memory(store, bomb, "expands .* times")


def test_stored_assets_out_of_proportion_are_refused(store, tmp_path):
    bulky = rebuild(tiny_keras_bytes(tmp_path), {}, {"assets/vocab.txt": ("zeros", 9 * MiB)})
    refused_with_flat_memory(store, bulky, "assets")


def test_weights_declaring_more_than_they_hold_are_refused(store, tmp_path):
    h5 = io.BytesIO()
    with h5py.File(h5, "w") as f:
        f.create_dataset("layers/dense/vars/0", shape=(250 * MiB,), dtype="float32")  # unwritten
    h5_bytes = h5.getvalue()
    assert len(h5_bytes) < 64 * 1024
    sparse = rebuild(tiny_keras_bytes(tmp_path), {"model.weights.h5": h5_bytes})
    refused_with_flat_memory(store, sparse, "declares 1000 MB of weights")


def test_a_config_declaring_huge_layers_is_refused(store, tmp_path):
    original = tiny_keras_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(original)) as zf:
        config = json.loads(zf.read("config.json"))
    text = json.dumps(config).replace('"units": 2', '"units": 300000000')
    assert text != json.dumps(config)
    huge = rebuild(original, {"config.json": text.encode()})
    refused_with_flat_memory(store, huge, "config declares at least")


def test_a_real_model_still_imports_and_is_not_kept_in_memory(store, tmp_path):
    from cnnviz.store import cache as store_cache

    model_id = store.import_keras(tiny_keras_bytes(tmp_path), OWNER, name="ok")
    assert (store.root.resolve().as_posix(), model_id) not in {
        (k[0], k[1]) for k in store_cache._CACHE
    }
    loaded = store.load(model_id, OWNER)
    assert loaded.predict_proba(np.zeros((1, 8, 8, 3), np.uint8)).shape == (1, 2)
