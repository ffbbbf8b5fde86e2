"""Settings shared by every test: a private app home, short optimisation loops, quiet TF."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CNNVIZ_FAST"] = "1"
# Jobs started inside the test process train in threads (quick, and a test can look at the
# live model); the executors' own tests choose local and ray, and the Chromium tests serve
# the app with its default, worker processes.
os.environ["CNNVIZ_EXECUTOR"] = "thread"

import pytest


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Each test gets its own CNNVIZ_HOME so stored models never leak between tests."""
    monkeypatch.setenv("CNNVIZ_HOME", str(tmp_path / "cnnviz-home"))


@pytest.fixture
def no_leftover_jobs():
    """Stop every training job a test left behind, and wait until each has ended."""
    from cnnviz import training

    yield
    for job in training.jobs():
        job.stop()
    for job in training.jobs():
        assert job.wait(120), f"job {job.id} did not end"


@pytest.fixture
def stop_jobs(no_leftover_jobs):
    """The page tests' name for :func:`no_leftover_jobs`."""
    yield
