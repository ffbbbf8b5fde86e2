"""The busy sign: every slow step of a page says what it is doing, through one helper."""

import ast
import subprocess
import sys

import pytest
import streamlit

from tests.pages import inspect_helpers
from tests.pages.conftest import ROOT
from tests.pages.inspect_helpers import run_page

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below

PAGES = sorted((ROOT / "pages").glob("*.py"))


@pytest.fixture
def spinners(monkeypatch):
    """The texts of every spinner shown while a page runs (the real spinner still runs)."""
    shown: list[str] = []
    real = streamlit.spinner

    def recording(text="In progress...", *args, **kwargs):
        shown.append(str(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(streamlit, "spinner", recording)
    return shown


def test_grad_cam_says_what_it_is_doing(stored_model, spinners):
    at = run_page("pages/gradcam.py")
    assert not at.exception
    assert "Loading the model…" in spinners
    assert "Asking the model what it sees…" in spinners
    assert "Computing Grad-CAM…" in spinners


def test_activations_say_what_they_are_doing(stored_model, spinners):
    at = run_page("pages/activations.py")
    assert not at.exception
    assert "Loading the model…" in spinners
    assert "Running the image through every layer…" in spinners
    assert any(s.startswith("Measuring the channels of conv1") for s in spinners)


def test_no_page_draws_its_own_spinner():
    """Pages and UI helpers use busy_sign (one look, one wording, the seconds elapsed)."""
    files = PAGES + sorted((ROOT / "cnnviz" / "ui").rglob("*.py"))
    offenders = [
        str(p.relative_to(ROOT))
        for p in files
        if p.name != "busy.py" and "st.spinner(" in p.read_text()
    ]
    assert offenders == []


def _modules_before_the_ui(page) -> list[str]:
    """The cnnviz modules a page imports before its first cnnviz.ui import."""
    found = []
    for node in ast.parse(page.read_text()).body:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name == "cnnviz.ui" or name.startswith("cnnviz.ui."):
                return found
            if name.startswith("cnnviz."):
                found.append(name)
    return found


def test_pages_reach_the_ui_package_before_loading_tensorflow():
    """On a new server's first run a page runs without app.py until cnnviz.ui is imported
    (see cnnviz/ui/__init__.py); if TensorFlow loaded first, the page stayed blank, with no
    busy sign, for ten seconds or more."""
    before = sorted({m for page in PAGES for m in _modules_before_the_ui(page)})
    code = (
        "import importlib, sys\n"
        f"for name in {before!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        importlib.import_module(name.rpartition('.')[0])\n"  # from pkg import name
        "print(sorted(m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", (before, out.stdout)
