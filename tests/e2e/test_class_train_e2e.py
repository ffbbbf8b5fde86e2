"""A class presses Train together: the trainings run in worker processes, not in the server.

Three students (three browser contexts, three workspaces) press Train on the Train page at
the same moment, on a server with one local worker process (``CNNVIZ_MAX_JOBS=1``): each
page shows its own job (its place in the queue, or its progress), then its own finished
result, stored in its own workspace. Meanwhile a fourth student moves the Filters page's θ
slider and sees the kernel and its caption redrawn. What is shown is asserted, never a time
(speed is bench/class_train.py's question).
"""

import time
import urllib.parse

import pytest

from bench.classroom import JOB_TIMEOUT_S, open_train_page, saved_models
from tests.e2e.conftest import JOB_LINE, screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.e2e

STUDENTS = 3
EPOCHS = 3
QUEUED = "Waiting for a free training slot"


def _own_job(page):
    """The page's own job, queued or running, in its main part."""
    main = page.locator('[data-testid="stMain"]')
    return main.get_by_text(QUEUED).or_(main.get_by_text(JOB_LINE))


def _workspace(page) -> str:
    """The workspace key in the page's address (``?ws=...``): the owner of its jobs."""
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["ws"][0]


def _kernel_values(page) -> list:
    """The Gabor kernel heatmap's values as drawn (plotly's data)."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('.st-key-gabor_kernel_fig .js-plotly-plot');
            return c && c._fullData ? JSON.parse(JSON.stringify(c._fullData[0].z)) : null;
        }"""
    )


def test_three_students_press_train_together_and_a_classmate_moves_a_slider(browser, tmp_path):
    home = tmp_path / "home"
    env = {"CNNVIZ_EXECUTOR": "local", "CNNVIZ_MAX_JOBS": "1"}
    with serve_app(home, env) as url:
        contexts = [
            browser.new_context(viewport={"width": 1300, "height": 900})
            for _ in range(STUDENTS + 1)
        ]
        try:
            pages = [
                open_train_page(ctx, url, EPOCHS, smallest=True) for ctx in contexts[:STUDENTS]
            ]
            owners = [_workspace(p) for p in pages]
            assert len(set(owners)) == STUDENTS, owners  # three workspaces

            classmate = contexts[-1].new_page()
            classmate.set_default_timeout(180_000)
            classmate.goto(url + "/filters")
            classmate.get_by_role("heading", name="Filters").first.wait_for()
            wait_for_app(classmate)
            classmate.locator(".st-key-gabor_kernel_fig .js-plotly-plot").wait_for()
            kernel_before = _kernel_values(classmate)

            before = set(saved_models(home))
            # Each page notes the first text of its main part that names a queue place, ten
            # times a second from the click on (a warm worker may finish a small job before
            # the test has looked at every page).
            for p in pages:
                p.evaluate(
                    """(queued) => {
                        window.__cnnvizQueued = null;
                        window.__cnnvizTimer = setInterval(() => {
                            const main = document.querySelector('[data-testid="stMain"]');
                            const text = main ? main.innerText : '';
                            if (!window.__cnnvizQueued && text.includes(queued))
                                window.__cnnvizQueued = text;
                        }, 100);
                    }""",
                    QUEUED,
                )
            for p in pages:  # as close together as one test can click
                p.locator(".st-key-train_start button").first.click(no_wait_after=True)

            # Each page shows its own job at once: its place in the queue, or its progress.
            for p in pages:
                _own_job(p).first.wait_for()
            # One worker, three jobs pressed together: someone waits, and is told their place.
            queued = []
            deadline = time.monotonic() + 60
            while not queued and time.monotonic() < deadline:
                seen = [p.evaluate("() => window.__cnnvizQueued") for p in pages]
                queued = [i for i, text in enumerate(seen) if text]
                time.sleep(0.2)
            assert queued, [p.locator('[data-testid="stMain"]').inner_text() for p in pages]
            assert "in the queue (first come, first served)" in seen[queued[0]]
            screenshot(pages[queued[0]], "class-train-queued")

            # The classmate moves θ while the class trains: the kernel is redrawn.
            theta = classmate.get_by_role("slider", name="θ (orientation, degrees)")
            theta.focus()
            for _ in range(9):  # 5° steps: 45°
                classmate.keyboard.press("ArrowRight")
            classmate.get_by_text("θ = 45° = 0.785 rad").wait_for()
            wait_for_app(classmate)
            assert _kernel_values(classmate) != kernel_before
            assert not classmate.get_by_test_id("stException").count()
            screenshot(classmate, "class-train-classmate-filters")

            running = next((p for p in pages if p.get_by_text(JOB_LINE).count()), pages[0])
            running.get_by_text(JOB_LINE).first.wait_for()
            screenshot(running, "class-train-running")

            # Every student's own job finishes and is stored in their own workspace.
            stored: dict[str, list] = {}
            deadline = time.monotonic() + JOB_TIMEOUT_S * STUDENTS
            while time.monotonic() < deadline:
                stored = {}
                for key, meta in saved_models(home).items():
                    if key not in before and meta.get("status") == "finished":
                        stored.setdefault(meta.get("owner"), []).append(key)
                if len(stored) == STUDENTS:
                    break
                time.sleep(1.0)
            assert sorted(stored) == sorted(owners), stored
            assert all(len(ids) == 1 for ids in stored.values()), stored
            for p in pages:
                p.get_by_text("Test accuracy").first.wait_for(timeout=120_000)
                wait_for_app(p)
                text = p.locator('[data-testid="stMain"]').inner_text()
                assert "Finished" in text
                assert QUEUED not in text
                assert not p.get_by_test_id("stException").count()
                assert not p.locator('[data-testid="stAlertContentError"]').count()
            for i, p in enumerate(pages):
                screenshot(p, f"class-train-done-{i + 1}")
        finally:
            for ctx in contexts:
                ctx.close()
