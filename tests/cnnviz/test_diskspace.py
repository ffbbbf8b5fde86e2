"""The one place that answers "may this write of N bytes go into workspace W?"."""

import pytest

from cnnviz import config, diskspace, workspaces
from cnnviz.errors import InputError


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "1")
    return workspaces.new_key()


def reserved_files():
    folder = config.home() / "space" / "reserved"
    return list(folder.iterdir()) if folder.is_dir() else []


def test_a_reservation_is_given_back_when_its_write_fails(key):
    with pytest.raises(RuntimeError), diskspace.reserve(key, 2**20):
        assert len(reserved_files()) == 1
        raise RuntimeError("the write failed")
    assert reserved_files() == []
    with diskspace.reserve(key, 2**20):  # the whole quota is free again
        pass


def test_growing_a_reservation_is_checked_again(key):
    with diskspace.reserve(key, 2**19) as first, diskspace.reserve(key, 2**18):
        with pytest.raises(InputError, match="Your workspace is full"):
            first.resize(2**19 + 2**18 + 1)
        assert first.nbytes == 2**19  # unchanged
        first.resize(2**19 + 2**18)  # exactly the quota
        first.resize(10)  # shrinking always works


def test_reservations_left_by_a_dead_process_do_not_count(key):
    folder = config.home() / "space" / "reserved"
    folder.mkdir(parents=True)
    (folder / f"{key}.{2**22 + 12345}.gone.0123").write_text(str(2**20))
    with diskspace.reserve(key, 2**20):
        pass
    assert reserved_files() == []


def test_an_owner_that_is_not_a_workspace_gets_no_folder_and_no_quota(key):
    with diskspace.reserve("a-script", 2**21):
        pass
    assert not diskspace.workspaces_root().exists()
    assert diskspace.workspace_folder("../../etc") is None


def test_a_refused_first_save_leaves_no_workspace_behind(key, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DISK_BUDGET_GB", "0.000001")
    with pytest.raises(InputError, match="disk budget"), diskspace.reserve(key, 2**12):
        pass
    assert not diskspace.workspace_folder(key).exists()
