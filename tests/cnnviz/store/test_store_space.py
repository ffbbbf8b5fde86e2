"""Every write into a workspace reserves its space first: quota, server budget, free space.

Six tabs of one workspace pressing "Add to my models" at once must not slip past the quota
between the check and the write; the server's disk budget and its free space bound all
workspaces together.
"""

import shutil
import threading

import keras
import numpy as np
import pytest

from cnnviz import workspaces
from cnnviz.errors import InputError
from cnnviz.store import ModelStore

MiB = 2**20


@pytest.fixture
def store(tmp_path):
    return ModelStore(tmp_path / "models")


def keras_file(tmp_path, units=20_000) -> bytes:
    """A ~300 KB .keras file: big enough that a few KB of metadata are small beside it."""
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(units // 16)(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    path = tmp_path / "upload.keras"
    model.save(path)
    return path.read_bytes()


def upload_all_at_once(store, data, key, tabs=6):
    """``tabs`` threads import ``data`` into workspace ``key`` at the same moment."""
    accepted, refused, other = [], [], []
    start = threading.Barrier(tabs)

    def tab(i):
        start.wait()
        try:
            accepted.append(store.import_keras(data, key, name=f"tab {i}"))
        except InputError as err:
            refused.append(str(err))
        except Exception as exc:  # collected for the assert below
            other.append(exc)

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(tabs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not other
    return accepted, refused


def test_concurrent_uploads_cannot_pass_the_workspace_quota(store, tmp_path, monkeypatch):
    data = keras_file(tmp_path)
    # Room for 3 uploads and a half: 3 must be accepted, the other 3 refused.
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", str(3.5 * len(data) / MiB))
    key = workspaces.new_key()
    accepted, refused = upload_all_at_once(store, data, key)
    assert len(accepted) == 3, (len(accepted), refused)
    assert len(refused) == 3
    assert all("Your workspace is full" in message for message in refused)
    assert store.usage(key) <= 3.5 * len(data)
    # Another workspace has its own quota.
    assert len(upload_all_at_once(store, data, workspaces.new_key(), tabs=2)[0]) == 2


def test_a_failed_upload_gives_its_reserved_space_back(store, tmp_path, monkeypatch):
    data = keras_file(tmp_path)
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", str(1.5 * len(data) / MiB))
    key = workspaces.new_key()
    two_outputs = tmp_path / "two.keras"
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Flatten()(inputs)
    big = keras.layers.Dense(20_000 // 16)(x)
    keras.Model(inputs, [keras.layers.Dense(3)(big), keras.layers.Dense(2)(big)]).save(two_outputs)
    # Refused only after it was written and loaded (not an image classifier).
    with pytest.raises(InputError, match="one output"):
        store.import_keras(two_outputs.read_bytes(), key)
    assert store.usage(key) == 0
    store.import_keras(data, key)  # the whole quota is free again
    with pytest.raises(InputError, match="Your workspace is full"):
        store.import_keras(data, key)


def test_a_trained_model_is_saved_within_the_quota(store, tmp_path, monkeypatch):
    data = keras_file(tmp_path)
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", str(1.5 * len(data) / MiB))
    key = workspaces.new_key()
    store.import_keras(data, key)
    model = keras.saving.load_model(tmp_path / "upload.keras")
    with pytest.raises(InputError, match="Your workspace is full"):
        store.save(model, {"name": "trained", "owner": key})
    assert len(store.list(key)) == 1
    assert not list(store.root.glob(".tmp-*"))


def test_the_server_budget_counts_every_workspace(store, tmp_path, monkeypatch):
    data = keras_file(tmp_path)
    monkeypatch.setenv("CNNVIZ_DISK_BUDGET_GB", str(2.5 * len(data) / 2**30))
    first, second, third = (workspaces.new_key() for _ in range(3))
    store.import_keras(data, first)
    store.import_keras(data, second)
    with pytest.raises(InputError, match=r"disk budget for all workspaces \(.* GB\) is used up"):
        store.import_keras(data, third)
    assert store.list(third) == []


def test_a_write_that_would_fill_the_disk_is_refused(store, tmp_path, monkeypatch):
    data = keras_file(tmp_path)
    real = shutil.disk_usage(tmp_path)
    nearly_full = real._replace(free=512 * MiB)  # below the margin that must stay free
    monkeypatch.setattr(shutil, "disk_usage", lambda path: nearly_full)
    key = workspaces.new_key()
    with pytest.raises(InputError, match="disk is almost full"):
        store.import_keras(data, key)
    with pytest.raises(InputError, match="disk is almost full"):
        store.save(keras.saving.load_model(tmp_path / "upload.keras"), {"name": "m", "owner": key})
    snapshots = {"kernels": np.zeros((4, 4), np.float32)}
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real)
    model_id = store.import_keras(data, key)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: nearly_full)
    with pytest.raises(InputError, match="disk is almost full"):
        store.save_snapshots(model_id, snapshots)
    assert store.load_snapshots(model_id, key) is None
