"""Pretrained page in Chromium: the bundled model on the sample cat, then a comparison offline."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT, _free_port, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def offline_app_url(tmp_path_factory):
    """The app served with an empty Keras cache and every download refused (a proxy that is not
    there), like a classroom without internet, whatever network this machine has."""
    port = _free_port()
    home = tmp_path_factory.mktemp("e2e-offline")
    nowhere = "http://127.0.0.1:9"
    env = dict(
        os.environ,
        CNNVIZ_HOME=str(home / "cnnviz"),
        KERAS_HOME=str(home / "keras"),
        CNNVIZ_FAST="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        HTTP_PROXY=nowhere,
        HTTPS_PROXY=nowhere,
        http_proxy=nowhere,
        https_proxy=nowhere,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {home / 'streamlit.log'}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    assert not any((home / "keras").rglob("*.h5")), "a weight file was downloaded"


def _open_pretrained_page(page, url):
    """Open the app's home page, then follow the sidebar link, as a student would."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Pretrained").click()
    page.wait_for_url("**/pretrained")
    wait_for_app(page)


def test_bundled_model_on_the_sample_cat(app_url, page):
    _open_pretrained_page(page, app_url)
    page.get_by_role("heading", name="Pretrained models").wait_for()
    page.get_by_role("heading", name="EfficientNet-Lite0").wait_for()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stException").count()
    # The bars name a domestic cat class; the figures line reports the published accuracy.
    chart.get_by_text("tiger cat").wait_for()
    assert page.get_by_text("ImageNet top-1").first.is_visible()
    assert page.get_by_text("What it saw: 224×224 pixels").is_visible()
    wait_for_app(page)
    screenshot(page, "pretrained")


def test_comparison_offline_keeps_the_bundled_model(offline_app_url, page):
    _open_pretrained_page(page, offline_app_url)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()

    models = page.get_by_test_id("stMultiSelect")
    models.locator("input").click()
    page.get_by_role("option", name="InceptionV3 · downloads ~92 MB on first use").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_role("heading", name="InceptionV3").wait_for()
    alert = page.get_by_test_id("stAlertContentError")
    alert.first.wait_for()
    wait_for_app(page)
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels.h5" in alert.first.inner_text()
    assert not page.get_by_test_id("stException").count()
    # EfficientNet-Lite0 still shows its top-5 next to the model that could not load.
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    page.get_by_text("Pick two or more models that load").wait_for()
    wait_for_app(page)
    screenshot(page, "pretrained-offline")
