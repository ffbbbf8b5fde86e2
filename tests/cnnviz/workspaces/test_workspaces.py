import os
import time

import pytest

from cnnviz import limits, workspaces
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.workspaces import Workspace
from tests.cnnviz.conftest import tiny_dense as tiny_model


def save(store, owner, name="m"):
    return store.save(tiny_model(), {"name": name, "owner": owner})


def test_keys_are_unguessable_and_url_safe():
    keys = {workspaces.new_key() for _ in range(2000)}
    assert len(keys) == 2000
    for key in list(keys)[:50]:
        assert workspaces.is_valid_key(key)
        assert len(key) * 6 >= 128  # base64 characters carry 6 bits each
    assert workspaces.KEY_BYTES * 8 >= 128
    # Every character position varies: no fixed prefix or counter.
    assert all(len({k[i] for k in keys}) > 30 for i in range(22))


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short",
        "../../../../etc/passwd00",
        "a" * 65,
        "spaces are not allowed here",
        "abc/def/ghi/jkl/mno/pqrstu",
        "<script>alert(1)</script>",
        None,
        12345678901234567890123,
    ],
)
def test_malformed_keys_are_refused(key):
    assert not workspaces.is_valid_key(key)
    with pytest.raises(InputError, match="not valid"):
        Workspace(key)


def test_store_isolates_workspaces(tmp_path):
    store = ModelStore(tmp_path / "models")
    alice, bob = workspaces.new_key(), workspaces.new_key()
    model_id = save(store, alice)
    assert [m["id"] for m in store.list(alice)] == [model_id]
    assert store.list(bob) == []
    with pytest.raises(InputError, match="no model"):
        store.load(model_id, bob)
    with pytest.raises(InputError):
        store.delete(model_id, bob)
    assert store.usage(alice) > 0
    assert store.usage(bob) == 0
    store.set_shared(model_id, True, alice)
    assert [m["id"] for m in store.list(bob)] == [model_id]
    assert store.usage(bob) == 0  # a shared model counts for its owner only


def test_quota_message_names_the_use_and_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "1")
    assert limits.quota_bytes() == 2**20
    limits.check_quota(2**19, 2**18)  # fits
    with pytest.raises(InputError, match=r"workspace is full.*uses 1 MB.*may use 1 MB"):
        limits.check_quota(2**20, 2**19)
    ws = Workspace(workspaces.new_key(), tmp_path / "ws")
    ws.dataset_dir("ab" * 8).mkdir(parents=True)
    (ws.dataset_dir("ab" * 8) / "dataset.npz").write_bytes(b"x" * (2**20 + 1))
    with pytest.raises(InputError, match="workspace is full"):
        ws.check_quota()
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "0")  # 0: no limit
    ws.check_quota(adding=2**40)


def test_job_cap_message():
    limits.check_job_cap(0)
    with pytest.raises(InputError, match="one at a time"):
        limits.check_job_cap(1)


def test_job_time_cap_defaults(monkeypatch):
    monkeypatch.delenv("CNNVIZ_JOB_MINUTES", raising=False)
    assert limits.job_seconds() == 600
    assert limits.job_seconds(on_gpu=True) is None
    monkeypatch.setenv("CNNVIZ_JOB_MINUTES", "0.5")
    assert limits.job_seconds(on_gpu=True) == 30
    assert "at most 30 seconds" in limits.job_cap_message(30)


def test_cleanup_by_age_removes_stale_workspaces_and_their_models(tmp_path):
    base = tmp_path / "ws"
    store = ModelStore(tmp_path / "models")
    old, fresh = Workspace(workspaces.new_key(), base), Workspace(workspaces.new_key(), base)
    for ws in (old, fresh):
        ws.dataset_dir("cd" * 8).mkdir(parents=True)  # something saved: the folder exists
        ws.touch(every=0)
    old_model, fresh_model = save(store, old.key), save(store, fresh.key)
    now = time.time()
    day = 86400.0
    os.utime(old.folder / workspaces.TOUCH_FILE, (now - 20 * day, now - 20 * day))
    # Crash leftovers: an old temporary folder goes, a recent one (a save in progress) stays.
    stale_tmp, live_tmp = store.root / ".tmp-old", store.root / ".tmp-new"
    stale_tmp.mkdir()
    live_tmp.mkdir()
    os.utime(stale_tmp, (now - 3600, now - 3600))
    half = fresh.dataset_dir("cd" * 8) / ".dataset.npz.123.tmp"
    half.write_bytes(b"half")
    os.utime(half, (now - 3600, now - 3600))

    counts = workspaces.cleanup(store, base=base, max_age=14 * day)
    assert counts == {"workspaces": 1, "models": 1, "tmp": 2}
    assert not old.folder.exists() and fresh.folder.exists()
    assert [m["id"] for m in store.list(None)] == [fresh_model]
    assert old_model not in {m["id"] for m in store.list(None)}
    assert not stale_tmp.exists() and live_tmp.exists() and not half.exists()


def test_maybe_cleanup_runs_at_most_once_per_period(tmp_path, monkeypatch):
    monkeypatch.setattr(workspaces.retention, "_last_cleanup", 0.0)
    assert workspaces.maybe_cleanup(ModelStore(tmp_path / "models")) is not None
    assert workspaces.maybe_cleanup(ModelStore(tmp_path / "models")) is None


def _tiny_image_zip(n_per_class=300, side=8) -> bytes:
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for cls in ("a", "b", "c"):
            for i in range(n_per_class):
                png = io.BytesIO()
                pixels = rng.integers(0, 255, (side, side, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(png, format="PNG")
                zf.writestr(f"{cls}/{i}.png", png.getvalue())
    return buf.getvalue()


def test_saved_datasets_skip_half_written_ones(tmp_path):
    from cnnviz import datasets

    ws = Workspace(workspaces.new_key(), tmp_path / "ws")
    datasets.from_zip(_tiny_image_zip(10), ws.dataset_dir("ef" * 8), keep="archive", name="mine")
    half = ws.dataset_dir("01" * 8)
    half.mkdir(parents=True)
    (half / workspaces.DATASET_FILE).write_bytes(b"PK\x03\x04 half")  # no options beside it
    [only] = ws.saved_datasets()
    assert only["digest"] == "ef" * 8 and only["name"] == "mine"


def test_an_uploaded_zip_of_tiny_images_stays_small_on_disk(tmp_path):
    import numpy as np

    from cnnviz import datasets

    archive = _tiny_image_zip()
    ws = Workspace(workspaces.new_key(), tmp_path / "ws")
    ds = datasets.from_zip(archive, ws.dataset_dir("12" * 8), keep="archive", image_size=64)
    raw = sum(a.nbytes for a in (ds.x_train, ds.x_test))
    # 900 images of 64x64x3 decoded take 11 MB; kept as the archive they take its size.
    assert raw > 10 * 2**20
    assert ws.datasets_bytes() < len(archive) + 4096
    back = datasets.load_saved(ds.options["saved"])
    assert back.name == ds.name
    assert np.array_equal(back.x_train, ds.x_train) and np.array_equal(back.y_test, ds.y_test)
    assert back.options["saved"] == ds.options["saved"]


# ---- what a visit leaves on disk, and new workspaces per address -------------------------


def test_visiting_many_new_keys_creates_no_folders(tmp_path):
    base = tmp_path / "ws"
    for _ in range(30):
        ws = Workspace(workspaces.new_key(), base)
        ws.touch(every=0)  # what every page visit does
        # Reading a workspace that holds nothing gives empty answers, and makes nothing.
        assert ws.saved_datasets() == []
        assert ws.usage() == 0 and ws.last_used() is None
    assert not base.exists() or list(base.iterdir()) == []


def test_a_workspace_folder_is_made_by_its_first_save(tmp_path):
    ws = Workspace(workspaces.new_key(), tmp_path / "ws")
    with ws.reserve(1000):
        assert ws.folder.is_dir()
        ws.dataset_dir("ab" * 8).mkdir(parents=True)
        (ws.dataset_dir("ab" * 8) / "archive.zip").write_bytes(b"x" * 1000)
    ws.touch(every=0)
    assert ws.last_used() is not None


def test_new_workspaces_per_address_are_limited_per_hour(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_NEW_WORKSPACES_PER_HOUR", "3")
    base = tmp_path / "ws"
    now = [1_000_000.0]

    def clock():
        return now[0]

    def first_save(address):
        with Workspace(workspaces.new_key(), base).reserve(10, address=address, clock=clock):
            pass

    for _ in range(3):
        first_save("10.0.0.7")
        now[0] += 60
    with pytest.raises(InputError, match=r"10\.0\.0\.7.*3 new workspaces in the last hour"):
        first_save("10.0.0.7")
    first_save("10.0.0.8")  # another computer has its own count
    first_save(None)  # an unknown address (this machine) is not limited
    # Saving again into a workspace that exists is never limited.
    ws = Workspace(workspaces.new_key(), base)
    now[0] += 3600 - 180 + 1  # the first of the three is now more than an hour old
    with ws.reserve(10, address="10.0.0.7", clock=clock):
        pass
    with pytest.raises(InputError, match="new workspaces"):
        first_save("10.0.0.7")
    with ws.reserve(10, address="10.0.0.7", clock=clock):
        pass
    assert len([f for f in base.iterdir() if workspaces.is_valid_key(f.name)]) == 6


def test_a_dataset_upload_reserves_its_space(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "1")
    ws = Workspace(workspaces.new_key(), tmp_path / "ws")
    with pytest.raises(InputError, match="Your workspace is full"), ws.reserve(2**20 + 1):
        pass
    with ws.reserve(2**19) as reservation:
        # Meanwhile another tab of the same workspace cannot take the reserved half and more.
        with pytest.raises(InputError, match="Your workspace is full"), ws.reserve(2**19 + 1):
            pass
        assert reservation.nbytes == 2**19
    with ws.reserve(2**20 - 2**12):  # given back when the first one ended
        pass
