"""AppTest helpers: run app.py or a single page script the way Streamlit would."""

import time
import urllib.error
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def app_test(script: str, timeout: float = 120) -> AppTest:
    """An AppTest for a script path relative to the repository root (e.g. 'pages/filters.py')."""
    return AppTest.from_file(str(ROOT / script), default_timeout=timeout)


@pytest.fixture(autouse=True)
def _repo_root_cwd(monkeypatch):
    """Pages open assets by relative path, as under `streamlit run` from the repo root."""
    monkeypatch.chdir(ROOT)


def run_until_done(at: AppTest, prefix: str = "train", timeout: float = 300):
    """Rerun the page until the job it started (``{prefix}_job_id``) ends; (at, job)."""
    from cnnviz import training

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = training.get_job(at.session_state[f"{prefix}_job_id"])
        if job.done:
            return at.run(), job
        time.sleep(0.5)
        at.run()
    raise AssertionError("training did not finish")


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    """An empty private Keras home and no network; returns the folder weights must go in."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    from cnnviz import pretrained

    return pretrained.keras_models_dir()
