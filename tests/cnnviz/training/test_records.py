"""Job records across a crash: a server killed mid-training or mid-save leaves nothing wrong."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cnnviz import workspaces
from cnnviz.store import ModelStore
from cnnviz.training import records

ROOT = Path(__file__).resolve().parents[3]


def _spawn(code: str, home: Path) -> subprocess.Popen:
    env = dict(os.environ, CNNVIZ_HOME=str(home), CNNVIZ_FAST="1", TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_for_line(proc: subprocess.Popen, wanted: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if wanted in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"the child exited before printing {wanted!r}")
    raise AssertionError(f"no {wanted!r} within {timeout} s")


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)


TRAIN_CHILD = """
    import time
    from cnnviz import datasets, workspaces
    from cnnviz.store import ModelStore
    from cnnviz.training import TrainingConfig, TrainingJob, records, BatchEnd

    ws = workspaces.Workspace("{key}")
    ds = datasets.load("shapes", image_size=24, n_train=600, n_test=100)
    job = TrainingJob(ds, TrainingConfig(epochs=200, batch_size=8), store=ModelStore(),
                      owner=ws.key, name="killed mid-training")
    job.start()
    records.track(job, ws.jobs_dir)
    while job.latest(BatchEnd) is None:
        time.sleep(0.05)
    print("TRAINING", flush=True)
    job.wait()
"""


@pytest.mark.slow
def test_a_job_killed_mid_training_reads_as_interrupted(tmp_path):
    home = tmp_path / "home"
    key = workspaces.new_key()
    proc = _spawn(TRAIN_CHILD.replace("{key}", key), home)
    try:
        _wait_for_line(proc, "TRAINING")
    finally:
        _kill(proc)
    folder = home / "workspaces" / key / "jobs"
    [raw] = [json.loads(p.read_text()) for p in folder.glob("job-*.json")]
    assert raw["status"] == "running"  # what the dead process left

    [record] = records.read_records(folder)
    assert record["status"] == "interrupted"
    assert "restart" in record["message"]
    # Rewritten once: a later read (another process, say) agrees, and nothing was saved.
    [again] = [json.loads(p.read_text()) for p in folder.glob("job-*.json")]
    assert again["status"] == "interrupted"
    assert ModelStore(home / "models").list(None) == []


SAVE_CHILD = """
    import time
    import keras
    from cnnviz.store import ModelStore

    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(
        keras.layers.Flatten()(inputs)))
    store = ModelStore()
    store.save(model, {"name": "complete", "owner": "{key}"})

    def slow_save(path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"PK\\x03\\x04 half of a model")
            f.flush()
            print("SAVING", flush=True)
            time.sleep(600)

    model.save = slow_save
    store.save(model, {"name": "half", "owner": "{key}"})
"""


def test_a_kill_mid_save_lists_no_half_model_and_cleanup_removes_the_debris(tmp_path):
    home = tmp_path / "home"
    key = workspaces.new_key()
    proc = _spawn(SAVE_CHILD.replace("{key}", key), home)
    try:
        _wait_for_line(proc, "SAVING")
    finally:
        _kill(proc)
    store = ModelStore(home / "models")
    assert [m["name"] for m in store.list(key)] == ["complete"]
    [debris] = list(store.root.glob(".tmp-*"))
    assert (debris / "model.keras").exists()
    assert store.cleanup_tmp(max_age=600) == 0  # might still be a save in progress
    assert debris.exists()
    assert store.cleanup_tmp(max_age=600, now=time.time() + 3600) == 1
    assert not debris.exists()
    assert [m["name"] for m in store.list(key)] == ["complete"]
    store.load(store.list(key)[0]["id"], key)  # the complete model is intact


def test_records_of_this_process_stay_running_and_dismiss_forgets(tmp_path):
    class FakeJob:
        id = "job-1-abcdef01"
        owner = "o"
        name = "n"
        status = "running"
        done = False
        error = None
        result = None
        created = time.time()

        def events(self):
            return []

    records.write_record(FakeJob(), tmp_path)
    [record] = records.read_records(tmp_path)
    assert record["status"] == "running"  # our own live job
    records.dismiss(tmp_path, FakeJob.id)
    assert records.read_records(tmp_path) == []


def test_the_time_cap_stops_the_job_keeps_the_model_and_says_why(tmp_path):
    from cnnviz import datasets
    from cnnviz.training import TrainingConfig, TrainingJob

    ds = datasets.load("shapes", image_size=24, n_train=300, n_test=60)
    store = ModelStore(tmp_path / "models")
    cap = records.TimeCap(0.5)
    job = TrainingJob(
        ds, TrainingConfig(epochs=500, batch_size=8), store=store, owner="o", callbacks=[cap]
    )
    cap.job = job
    job.start()
    records.track(job, tmp_path / "jobs", cap)
    assert job.wait(180)
    assert job.status == "stopped" and cap.reached
    assert job.result.epochs_run < 500
    assert [m["status"] for m in store.list("o")] == ["stopped"]  # kept and saved
    assert "time limit" in records.stop_reason(job)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        [record] = records.read_records(tmp_path / "jobs")
        if record["status"] != "running":
            break
        time.sleep(0.1)
    assert record["status"] == "stopped"
    assert "time limit" in record["message"]
    assert record["model_id"] == store.list("o")[0]["id"]
