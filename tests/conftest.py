"""Settings shared by every test: a private app home, short optimisation loops, quiet TF."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CNNVIZ_FAST"] = "1"

import pytest


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Each test gets its own CNNVIZ_HOME so stored models never leak between tests."""
    monkeypatch.setenv("CNNVIZ_HOME", str(tmp_path / "cnnviz-home"))
