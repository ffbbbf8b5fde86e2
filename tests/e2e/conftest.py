"""Real-browser fixtures: the app served by ``streamlit run`` and Debian's Chromium.

Screenshots go to ``artifacts/screenshots/`` (kept by CI as test artifacts).
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
#: A training job's own line on its page ("… · device: CPU"): case-sensitive, so the
#: sidebar's "Device: CPU", on every page from the start, never passes for it.
JOB_LINE = re.compile("· device: ")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_home(tmp_path_factory):
    """The CNNVIZ_HOME of the served app: tests may place shared models there beforehand."""
    return tmp_path_factory.mktemp("e2e-home")


SERVER_PIDS: dict[str, int] = {}  # a served app's URL -> its server's process id


@contextlib.contextmanager
def serve_app(
    home: Path, extra_env: dict[str, str] | None = None, *, launcher: str = "serve.py"
) -> Iterator[str]:
    """Serve app.py on a free 127.0.0.1 port with ``CNNVIZ_HOME=home``; yield its base URL.

    Args:
        home: The served app's CNNVIZ_HOME (created if missing); the server's output goes to
            ``home / "streamlit.log"``.
        extra_env: More environment variables for the server (they win over the defaults).
        launcher: ``"serve.py"`` (what ``make run`` does: TensorFlow and the training
            workers load at server start) or ``"streamlit"`` (plain ``streamlit run
            app.py``: they load when the first page is opened).

    The server is stopped when the block ends, also when it never became healthy (the test
    then fails, pointing at the log).
    """
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = dict(os.environ, CNNVIZ_HOME=str(home), CNNVIZ_FAST="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["CNNVIZ_EXECUTOR"] = "local"  # the app's default: trainings in worker processes
    env.update(extra_env or {})
    log_path = home / "streamlit.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                *(
                    [sys.executable, str(ROOT / "serve.py")]
                    if launcher == "serve.py"
                    else [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
                ),
                "--server.address", "127.0.0.1", "--server.port", str(port),
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        SERVER_PIDS[url] = proc.pid
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited early; see {log_path}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy within 120 s; see {log_path}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_url(app_home):
    """Serve app.py on 127.0.0.1 for the whole session; yield its base URL."""
    with serve_app(app_home) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_session():
    """The session's one Playwright (a second sync_playwright() in the same process fails)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session):
    """One headless Debian Chromium for the session, driven by Playwright."""
    b = playwright_session.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
    )
    yield b
    b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (its own Streamlit session) and page, 1400x1000."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def follow_sidebar_link(pg, title: str, url_path: str) -> None:
    """Follow a sidebar link (keeps the Streamlit session) and wait for the page.

    The URL carries the workspace key as a query (``/train?ws=...``), so only its path is
    compared.
    """
    pg.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    pg.wait_for_url(lambda url: urllib.parse.urlparse(url).path.rstrip("/").endswith(url_path))
    wait_for_app(pg)


def wait_for_app(pg, timeout_ms: int = 120_000) -> None:
    """Wait until Streamlit has finished the script run and drawn every element.

    "Finished" means: no 'Running' status widget and no loading skeletons (charts, tables and
    metrics show a skeleton until their data arrives).
    """
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_timeout(500)
    pg.wait_for_function(
        """() => {
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            const running = status && status.innerText.includes('Running');
            return !running && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout_ms,
    )


def screenshot(pg, name: str, height: int | None = None) -> Path:
    """Save a screenshot of the whole page under artifacts/screenshots/NAME.png.

    Streamlit scrolls inside its own container, so Playwright's ``full_page`` misses what is
    below the fold: the window is grown to the content's height (or ``height``) instead.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = pg.viewport_size or {"width": 1400, "height": 1000}
    if height is None:
        content = pg.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMain"]')
                    || document.querySelector('section.main') || document.body;
                return main.scrollHeight;
            }"""
        )
        height = max(size["height"], min(int(content) + 40, 6000))
    pg.set_viewport_size({"width": size["width"], "height": height})
    pg.wait_for_timeout(700)  # let charts re-layout to the new size
    pg.screenshot(path=str(path))
    pg.set_viewport_size(size)
    return path
