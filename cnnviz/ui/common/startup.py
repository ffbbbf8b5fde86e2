"""Server start-up: load the core once, in the background, and keep Streamlit off Keras.

``prepare_server()`` is called by ``app.py`` on every run and does its work once per
process:

- It imports the core (TensorFlow, Keras and every ``cnnviz`` module a page uses) in one
  background thread, after limiting TensorFlow's thread pools (see
  :func:`cnnviz.training.device.limit_threads`). Pages that need the core wait for that
  import with a spinner (:func:`wait_for_core`) instead of importing it themselves, so no
  two sessions import the same modules at once and nobody sees a half-imported module.
  The sidebar only asks :func:`core_loaded`, which never blocks.
- It stops Streamlit from calling ``keras.backend.clear_session()`` after every script run
  (see :func:`keep_keras_session`).

Streamlit's own post-script garbage collection is switched off in ``.streamlit/config.toml``
(``runner.postScriptGC = false``): a full collection after each rerun, for each watching
browser, costs the training thread its CPU and the page its latency, and Python's own
generational collector already reclaims what a rerun leaves behind.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import threading
import time

from cnnviz.ui.common.busy import LOADING_TENSORFLOW, busy_sign

_LOG = logging.getLogger(__name__)

# What the pages need, in import order (training first: it limits TensorFlow's threads).
CORE_MODULES = (
    "cnnviz.training",
    "cnnviz.store",
    "cnnviz.models.evaluation",
    "cnnviz.activations",
    "cnnviz.attribution",
    "cnnviz.featureviz",
    "cnnviz.pretrained",
    "cnnviz.models",
    "cnnviz.transfer",
)

_START_LOCK = threading.Lock()
_THREAD: threading.Thread | None = None
_READY = threading.Event()
_ERROR: BaseException | None = None
_STATE = {"doing": "Loading TensorFlow and Keras", "seconds": None}
# Streamlit's own clean-up function, kept when it is replaced (tests compare against it).
STREAMLIT_CLEANUP: list = []


def _load_core() -> None:
    global _ERROR
    started = time.perf_counter()
    try:
        _STATE["doing"] = "Starting the training workers"
        from cnnviz.training import device, executors

        # The workers load TensorFlow in their own processes while this one does.
        executors.warm_up()
        _STATE["doing"] = "Loading TensorFlow and Keras"
        device.limit_threads()
        for name in CORE_MODULES:
            _STATE["doing"] = f"Loading {name}"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:  # a module it needs is missing: a real failure
                    raise
        _STATE["doing"] = "Finding the training device"
        device.detect_device()
        _STATE["doing"] = "Ready"
    except BaseException as exc:  # shown on the pages that need the core
        _ERROR = exc
        _LOG.exception("loading the cnnviz core failed")
    finally:
        _STATE["seconds"] = time.perf_counter() - started
        _READY.set()


def start_core_import() -> None:
    """Start importing the core in a background thread (once per process)."""
    global _THREAD
    with _START_LOCK:
        if _THREAD is None:
            _THREAD = threading.Thread(target=_load_core, name="cnnviz-core-import", daemon=True)
            _THREAD.start()


def core_loaded() -> bool:
    """True once the core import finished (never blocks)."""
    return _READY.is_set() and _ERROR is None


def loading_message() -> str:
    """What the start-up import is doing now, in words."""
    return _STATE["doing"]


def wait_for_core() -> None:
    """Block until the core is imported, with a spinner saying what is being loaded.

    Raises:
        RuntimeError: the import failed (its message names the cause).
    """
    start_core_import()
    if not _READY.is_set():
        with busy_sign(LOADING_TENSORFLOW):
            _READY.wait()
    if _ERROR is not None:
        raise RuntimeError(f"The server could not load its core: {_ERROR!r}") from _ERROR


# ---- Streamlit's clean-up after each run ----------------------------------------------------


def _clean_problem_modules_keeping_keras() -> None:
    """Streamlit's post-run clean-up without ``keras.backend.clear_session()``.

    ``clear_session`` resets Keras' global state for every thread of the process: it clears
    TensorFlow's kernel cache under a running ``fit`` (which then re-traces), replaces the
    thread-local settings of a job that is building its model, and runs a full garbage
    collection. cnnviz never relies on a per-run reset (models are built under a lock in
    the training thread, and cached models are read-only), so keeping the session is safe.
    Closing matplotlib figures, the other clean-up, is kept.
    """
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        with contextlib.suppress(Exception):  # Streamlit ignores these failures too
            plt.close("all")


_clean_problem_modules_keeping_keras.cnnviz_installed = True


def keep_keras_session() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every run.

    Streamlit has no option for this: its script runner calls the module-level function
    ``streamlit.runtime.scriptrunner.script_runner._clean_problem_modules`` after each run
    (also each fragment rerun). That private name is replaced here;
    ``tests/pages/test_startup.py`` fails if Streamlit renames or moves it, or stops
    calling it, so the replacement cannot silently stop working.
    """
    from streamlit.runtime.scriptrunner import script_runner

    current = getattr(script_runner, "_clean_problem_modules", None)
    if current is None:
        _LOG.warning("Streamlit has no _clean_problem_modules any more; nothing to replace")
        return
    if not getattr(current, "cnnviz_installed", False):
        STREAMLIT_CLEANUP[:] = [current]
        script_runner._clean_problem_modules = _clean_problem_modules_keeping_keras


def prepare_server() -> None:
    """Once per process: keep Keras' session across runs and start loading the core.

    ``CNNVIZ_STREAMLIT_CLEANUP=1`` leaves Streamlit's clean-up as it is (for
    ``bench/classroom.py --baseline``, which measures what it costs).
    """
    if os.environ.get("CNNVIZ_STREAMLIT_CLEANUP", "") != "1":
        keep_keras_session()
    start_core_import()
