"""The same guarantees on every executor that runs jobs away from the server process.

Each test runs on the ``local`` executor (one spawned worker process) and on ``ray`` (a
real local Ray cluster started here with two CPUs and the dashboard off, stopped at the
end): events in order, Stop keeps the model, the model is stored by the server, a killed
worker fails its job in plain words and the next job runs, a job that raises fails
cleanly, and the time cap holds.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.cnnviz.conftest import tiny_config, tiny_dataset, wait_for

pytestmark = pytest.mark.usefixtures("no_leftover_jobs")

EXECUTORS = ["local", "ray"]


@pytest.fixture(scope="module")
def local_executor():
    from cnnviz.training import executors
    from cnnviz.training.executors.local import LocalExecutor

    chosen = LocalExecutor(workers=1)
    executors.install("local", chosen)
    assert chosen.wait_ready(180), "the worker did not load TensorFlow in 180 s"
    yield chosen
    chosen.shutdown()


@pytest.fixture(scope="module")
def ray_executor():
    pytest.importorskip("ray")
    from cnnviz.training import executors
    from cnnviz.training.executors.ray_cluster import RayExecutor

    chosen = RayExecutor("local", init_kwargs={"num_cpus": 2, "include_dashboard": False})
    executors.install("ray", chosen)
    assert chosen.capacity() >= 1
    yield chosen
    chosen.shutdown()


@pytest.fixture(params=EXECUTORS)
def executor_key(request):
    request.getfixturevalue(f"{request.param}_executor")
    return request.param


def _store():
    from cnnviz.store import ModelStore

    return ModelStore()


def _job(key, config=None, ds=None, **kwargs):
    from cnnviz import training

    return training.TrainingJob(
        ds or tiny_dataset(), config or tiny_config(), executor=key, **kwargs
    ).start()


def _wait_pid(job, timeout=60):
    deadline = time.monotonic() + timeout
    while job.worker_pid is None and time.monotonic() < deadline and not job.done:
        time.sleep(0.05)
    return job.worker_pid


def test_events_arrive_in_order_and_the_server_stores_the_model(executor_key):
    from cnnviz.training import BatchEnd, EpochEnd, Finished, JobStarted

    store = _store()
    job = _job(executor_key, tiny_config(epochs=3), store=store, owner="ann")
    assert job.wait(240), "the job did not end"
    assert job.status == "finished", job.error
    events = job.events()
    assert isinstance(events[0], JobStarted) and isinstance(events[-1], Finished)
    progress = [
        (e.epoch, getattr(e, "batch", 10**6)) for e in events if isinstance(e, (BatchEnd, EpochEnd))
    ]
    assert progress == sorted(progress), "events out of order"
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [1, 2, 3]
    meta = store.info(job.result.model_id, "ann")
    assert meta["params"] == events[0].params == job.params
    assert meta["worker_peak_rss_mb"] > 50  # measured in the worker, not here
    from cnnviz.models.evaluation import evaluate

    stored = store.load(job.result.model_id, "ann")
    assert stored.model.count_params() == job.params
    ds = tiny_dataset()
    again = evaluate(
        stored.model, ds.x_test, ds.y_test, ds.class_names, preprocessing=stored.preprocessing
    )
    assert again.accuracy == pytest.approx(job.result.test_accuracy)  # the trained weights


def test_stop_keeps_the_model_trained_so_far(executor_key):
    from cnnviz.training import EpochEnd, Stopped

    store = _store()
    job = _job(
        executor_key, tiny_config(epochs=500), ds=tiny_dataset(n=256), store=store, owner="bo"
    )
    assert wait_for(job, EpochEnd, 240) is not None
    job.stop()
    assert job.wait(60), "Stop did not reach the job"
    assert job.status == "stopped"
    assert isinstance(job.events()[-1], Stopped)
    assert 1 <= job.result.epochs_run < 500
    assert store.info(job.result.model_id, "bo")["status"] == "stopped"


def test_a_stored_model_is_trained_further_where_no_disk_is_shared(executor_key):
    store = _store()
    first = _job(executor_key, store=store, owner="cy")
    assert first.wait(240) and first.status == "finished", first.error
    again = _job(
        executor_key, tiny_config(continue_from=first.result.model_id), store=store, owner="cy"
    )
    assert again.wait(240) and again.status == "finished", again.error
    assert again.result.model_id != first.result.model_id
    assert again.params == first.params


def test_a_job_that_raises_fails_in_words_and_the_next_job_runs(executor_key):
    from cnnviz import datasets

    ds = tiny_dataset()
    bad = datasets.Dataset(
        "bad", ds.x_train.astype("float32"), ds.y_train, ds.x_test, ds.y_test, ds.class_names
    )
    job = _job(executor_key, ds=bad)
    assert job.wait(120)
    assert job.status == "failed"
    assert "uint8" in job.error
    nxt = _job(executor_key)
    assert nxt.wait(240) and nxt.status == "finished", nxt.error


def test_a_killed_worker_fails_its_job_and_a_new_one_takes_the_next(executor_key):
    from cnnviz.training import BatchEnd

    store = _store()
    saved = _job(executor_key, store=store, owner="di")
    assert saved.wait(240) and saved.status == "finished", saved.error
    job = _job(
        executor_key, tiny_config(epochs=500), ds=tiny_dataset(n=256), store=store, owner="di"
    )
    assert wait_for(job, BatchEnd, 240) is not None
    pid = _wait_pid(job)
    assert pid and pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    assert job.wait(120), "a dead worker's job never ended"
    assert job.status == "failed"
    assert "killed" in job.error and "Press Train to try again" in job.error
    assert [m["id"] for m in store.list("di")] == [saved.result.model_id]  # nothing lost
    nxt = _job(executor_key)
    assert nxt.wait(300) and nxt.status == "finished", nxt.error


def test_the_time_cap_stops_the_job_and_says_why(executor_key, tmp_path):
    from cnnviz.training import records

    cap = records.TimeCap(1.0)
    store = _store()
    job = _job(
        executor_key,
        tiny_config(epochs=10_000),
        ds=tiny_dataset(n=256),
        store=store,
        owner="ed",
        callbacks=[cap],
    )
    assert job.executor_key == executor_key  # the time cap travels; it does not pin a thread
    cap.job = job
    records.track(job, tmp_path, cap)
    assert job.wait(240)
    assert job.status == "stopped" and cap.reached
    assert job.result.model_id
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        (record,) = records.read_records(tmp_path)
        if record["status"] == "stopped":
            break
        time.sleep(0.1)
    assert record["message"] == records.stop_reason(job)


def test_a_worker_past_its_memory_limit_is_stopped_in_words(local_executor):
    from cnnviz.training import BatchEnd, executors
    from cnnviz.training.executors.local import LocalExecutor

    small = LocalExecutor(workers=1)
    small.memory_limit = 64.0  # MiB: TensorFlow alone is more
    executors.install("local", small)
    try:
        assert small.wait_ready(180)
        job = _job("local", tiny_config(epochs=500), ds=tiny_dataset(n=256))
        wait_for(job, BatchEnd, 120)
        assert job.wait(60)
        assert job.status == "failed"
        assert "memory" in job.error and "limit for one training" in job.error
    finally:
        small.shutdown()
        executors.install("local", local_executor)


def test_a_ray_node_that_leaves_fails_its_job_and_the_server_goes_on(ray_executor):
    """Two-node cluster: the lab computer training the job leaves; the job fails in words,
    models saved before stay, and the next job runs on the node that joins next."""
    from ray.cluster_utils import Cluster

    from cnnviz.training import BatchEnd, executors
    from cnnviz.training.executors.ray_cluster import RayExecutor

    ray_executor.shutdown()  # one Ray cluster per process: this test brings its own
    cluster = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False}
    )
    node = cluster.add_node(num_cpus=2)
    lab = RayExecutor(cluster.address)
    executors.install("ray", lab)
    try:
        store = _store()
        saved = _job("ray", store=store, owner="fay")
        assert saved.wait(240) and saved.status == "finished", saved.error
        job = _job(
            "ray", tiny_config(epochs=5000), ds=tiny_dataset(n=256), store=store, owner="fay"
        )
        assert wait_for(job, BatchEnd, 240) is not None
        cluster.remove_node(node)
        assert job.wait(180), "the job of a node that left never ended"
        assert job.status == "failed"
        assert "Press Train to try again" in job.error and "lab computer" in job.error
        assert [m["id"] for m in store.list("fay")] == [saved.result.model_id]
        cluster.add_node(num_cpus=2)
        nxt = _job("ray")
        assert nxt.wait(300) and nxt.status == "finished", nxt.error
    finally:
        lab.shutdown()
        cluster.shutdown()


def test_a_worker_never_runs_the_page_script_streamlit_left_as_main(tmp_path, monkeypatch):
    """Streamlit installs the page it ran last as ``__main__``; spawn would re-run it."""
    import sys
    import types

    from cnnviz.training.executors.local import LocalExecutor

    marker = tmp_path / "ran.txt"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    chosen = LocalExecutor(workers=1)
    try:
        assert chosen.wait_ready(180)
    finally:
        chosen.shutdown()
    assert not marker.exists(), "the worker ran the page script"
    assert sys.modules["__main__"] is page
