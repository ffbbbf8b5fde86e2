"""AppTest helpers: run app.py or a single page script the way Streamlit would."""

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
