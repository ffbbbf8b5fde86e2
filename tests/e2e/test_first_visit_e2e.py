"""Real browser on a just-started server: a deep link says what it is loading, never a blank page.

Served with plain ``streamlit run app.py``, the first visitor of a server waits while
TensorFlow loads; before the busy sign, a link straight to Grad-CAM showed an empty page for
that time. Served as ``make run`` does (``serve.py``), TensorFlow and the training workers
load when the server starts, before anyone opens a page.
"""

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_PIDS, screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_new_servers_first_grad_cam_visit_shows_what_it_is_loading(browser, tmp_path):
    with serve_app(tmp_path / "home", launcher="streamlit") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        try:
            pg.goto(url + "/gradcam")
            spinner = pg.get_by_test_id("stSpinner").filter(has_text="Loading TensorFlow")
            spinner.wait_for(timeout=60_000)
            # Loading comes first: the page's own title is not drawn yet.
            assert not pg.get_by_role("heading", name="Grad-CAM").count()
            screenshot(pg, "first_visit_loading", height=800)
            pg.get_by_role("heading", name="Grad-CAM").first.wait_for()
            pg.get_by_text("overlay (").wait_for()
            wait_for_app(pg)
            assert not pg.get_by_test_id("stException").count()
            screenshot(pg, "first_visit_gradcam")
        finally:
            context.close()


def _worker_children(pid: int) -> list[int]:
    """Child processes of ``pid`` that are spawned training workers."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"multiprocessing" in cmdline and b"spawn" in cmdline:
                out.append(int(child))
    return out


def test_serve_py_starts_the_training_workers_before_any_page_is_opened(browser, tmp_path):
    with serve_app(tmp_path / "home") as url:
        pid = SERVER_PIDS[url]
        deadline = time.monotonic() + 120
        while not _worker_children(pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _worker_children(pid), "no training worker started with the server"
        # The first Train page then finds the core loaded: no "Loading TensorFlow" wait
        # beyond what is still loading, and the Train button is there.
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        try:
            pg.goto(url + "/train")
            pg.get_by_role("button", name="Train").first.wait_for()
            wait_for_app(pg)
            assert not pg.get_by_test_id("stException").count()
        finally:
            context.close()
