"""Server start-up: Streamlit's clean-up keeps Keras' session, the sidebar never sees a
half-imported core, and post-script garbage collection is off."""

import inspect
import sys
import threading
import types
from pathlib import Path
from unittest import mock

import keras
import pytest
import tomllib
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from cnnviz.ui.common import startup

ROOT = Path(__file__).resolve().parents[2]


def _script():
    import streamlit as st

    st.write("a run")


def test_streamlit_still_cleans_keras_through_the_function_we_replace():
    # If Streamlit renames, moves or stops calling this private function, replacing it
    # does nothing any more (or breaks): this test then fails and the hook is revisited.
    startup.keep_keras_session()
    original = startup.STREAMLIT_CLEANUP[0] if startup.STREAMLIT_CLEANUP else None
    assert original is not None, "keep_keras_session found no _clean_problem_modules"
    assert "clear_session" in inspect.getsource(original)
    # Looked up by name in the module at each run, so replacing the module global works.
    assert "_clean_problem_modules" in inspect.getsource(script_runner.ScriptRunner._run_script)


def test_runs_no_longer_call_keras_clear_session():
    startup.keep_keras_session()
    with mock.patch.object(keras.backend, "clear_session") as clear:
        at = AppTest.from_function(_script)
        at.run()
        at.run()
        assert not at.exception
    assert clear.call_count == 0


def test_streamlit_cleanup_alone_would_clear_the_session(monkeypatch):
    # The control for the test above: with Streamlit's own clean-up, every run clears.
    startup.keep_keras_session()
    monkeypatch.setattr(script_runner, "_clean_problem_modules", startup.STREAMLIT_CLEANUP[0])
    with mock.patch.object(keras.backend, "clear_session") as clear:
        AppTest.from_function(_script).run()
    assert clear.call_count >= 1


def test_keep_keras_session_is_idempotent_and_keeps_closing_matplotlib():
    startup.keep_keras_session()
    startup.keep_keras_session()
    assert startup.STREAMLIT_CLEANUP[0] is not script_runner._clean_problem_modules
    plt = types.SimpleNamespace(close=mock.Mock())
    with mock.patch.dict(sys.modules, {"matplotlib.pyplot": plt}):
        script_runner._clean_problem_modules()
    plt.close.assert_called_once_with("all")


def test_config_switches_post_script_gc_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def _sidebar_script():
    from cnnviz.ui.common.sidebar import render_sidebar

    render_sidebar()


@pytest.fixture
def core_loading(monkeypatch):
    """The start-up import is under way: cnnviz.training is in sys.modules, half done."""
    half = types.ModuleType("cnnviz.training")  # no ``jobs`` yet, like a module mid-import
    monkeypatch.setitem(sys.modules, "cnnviz.training", half)
    monkeypatch.setattr(startup, "_READY", threading.Event())
    monkeypatch.setattr(startup, "_THREAD", threading.current_thread())  # "already started"
    monkeypatch.setitem(startup._STATE, "doing", "Loading TensorFlow and Keras")


def test_sidebar_waits_for_a_half_imported_core_without_an_exception(core_loading):
    at = AppTest.from_function(_sidebar_script).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Loading" in captions
    assert "Device" not in captions


def test_sidebar_shows_the_device_once_the_core_is_loaded():
    startup.start_core_import()
    startup._READY.wait(300)
    at = AppTest.from_function(_sidebar_script).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Device: CPU" in captions or "Device: GPU" in captions


def test_the_pages_directory_flag_cnnviz_ui_clears_is_still_there():
    """cnnviz.ui clears Streamlit's private PagesManager.uses_pages_directory (no public API
    says "this app routes with st.navigation" before the first run); fail when it changes."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    assert "uses_pages_directory" in vars(PagesManager)
    assert vars(PagesManager)["uses_pages_directory"] in (None, True, False)
    assert callable(get_script_run_ctx)


def test_what_app_py_imports_before_the_loading_sign_does_not_load_tensorflow():
    """app.py's own imports must stay light: a fresh server shows "Loading TensorFlow…"
    while the core loads in the background, which it cannot do if the router, sidebar or
    page list already pulled Keras in (the workspace link's model store once did)."""
    import ast
    import subprocess
    import sys

    from tests.pages.conftest import ROOT

    tree = ast.parse((ROOT / "app.py").read_text())
    modules = sorted(
        {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    )
    assert "cnnviz.ui.common.sidebar" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "heavy = [m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"app.py's imports load {out.stdout.strip()}"
