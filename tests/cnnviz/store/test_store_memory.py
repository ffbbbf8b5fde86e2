"""An upload or a deleted model leaves no Keras model behind once the call returns.

A loaded Keras model is a web of reference cycles: dropping the last name does not free its
weights, only the garbage collector's next full pass does. The server turns the pass after
every script run off (``runner.postScriptGC = false``), and with TensorFlow's millions of
long-lived objects a full pass is rare, so each 48 MB upload's weights stayed resident.
These tests turn automatic collection off, as a busy server effectively has it, and count
the models still alive through weak references.
"""

import gc
import weakref

import pytest

from cnnviz.store import ModelStore
from cnnviz.store import cache as store_cache
from cnnviz.store import models as store_models
from tests.cnnviz.conftest import tiny_classifier

OWNER = "memory-workspace-key-0001"


@pytest.fixture
def no_automatic_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.fixture
def loaded(monkeypatch):
    """Weak references to every Keras model the store loads from a file."""
    refs = []
    real = store_models.load_keras_file

    def load_and_track(path):
        model = real(path)
        refs.append(weakref.ref(model))
        return model

    monkeypatch.setattr(store_models, "load_keras_file", load_and_track)
    return refs


def _alive(refs) -> int:
    return sum(ref() is not None for ref in refs)


def _keras_bytes(tmp_path) -> bytes:
    path = tmp_path / "m.keras"
    tiny_classifier().save(path)
    return path.read_bytes()


def test_upload_cycles_leave_no_model_alive(tmp_path, loaded, no_automatic_gc):
    store = ModelStore(tmp_path / "models")
    data = _keras_bytes(tmp_path)
    for _ in range(3):
        model_id = store.import_keras(data, OWNER, name="upload")
        store.delete(model_id, OWNER)
    assert len(loaded) == 3
    assert _alive(loaded) == 0


def test_deleting_a_viewed_model_frees_it(tmp_path, loaded, no_automatic_gc):
    store = ModelStore(tmp_path / "models")
    model_id = store.import_keras(_keras_bytes(tmp_path), OWNER, name="viewed")
    viewed = store.load(model_id, OWNER)  # a page looked at it: now in the store's cache
    assert viewed.model is loaded[-1]()
    del viewed
    store.delete(model_id, OWNER)
    assert all(key[1] != model_id for key in store_cache._CACHE)
    assert _alive(loaded) == 0
