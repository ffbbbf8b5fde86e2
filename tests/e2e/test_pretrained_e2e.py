"""Pretrained page in Chromium: the bundled model on the sample cat, then a comparison offline."""

import pytest

from tests.e2e.conftest import follow_sidebar_link, screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def offline_app_url(tmp_path_factory):
    """The app served with an empty Keras cache and every download refused (a proxy that is not
    there), like a classroom without internet, whatever network this machine has."""
    tmp = tmp_path_factory.mktemp("e2e-offline")
    nowhere = "http://127.0.0.1:9"
    offline_env = {
        "KERAS_HOME": str(tmp / "keras"),
        "HTTP_PROXY": nowhere,
        "HTTPS_PROXY": nowhere,
        "http_proxy": nowhere,
        "https_proxy": nowhere,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    with serve_app(tmp / "cnnviz", offline_env) as url:
        yield url
    assert not any((tmp / "keras").rglob("*.h5")), "a weight file was downloaded"


def _open_pretrained_page(page, url):
    """Open the app's home page, then follow the sidebar link, as a student would."""
    page.goto(url)
    wait_for_app(page)
    follow_sidebar_link(page, "Pretrained", "pretrained")


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


def test_offline_page_agrees_without_downloads_and_says_which_files_are_missing(
    offline_app_url, page
):
    _open_pretrained_page(page, offline_app_url)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    # One note names the missing files and the folder, in full.
    note = page.get_by_test_id("stAlertContentInfo").filter(has_text="without weights")
    note.wait_for()
    assert "keras/models" in note.inner_text() and "…/" not in note.inner_text()
    assert "vgg16_weights_tf_dim_ordering_tf_kernels.h5" in note.inner_text()
    # "Select all that can run now" adds nothing that would fail.
    page.get_by_role("button", name="Select all that can run now").click()
    page.get_by_text("Only EfficientNet-Lite0 can run now").wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stAlertContentError").count()
    # Do the models agree? The bundled model at two input sizes, on the sample gallery.
    # 22 forward passes on a loaded 2-core machine can outlast the default 60 s
    page.get_by_text("gives the same first guess for").wait_for(timeout=180_000)
    page.get_by_test_id("stDataFrame").wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stException").count()
    page.mouse.move(0, 0)  # no tooltip over the list in the picture
    screenshot(page, "pretrained-offline-agreement")


def test_comparison_offline_keeps_the_bundled_model(offline_app_url, page):
    _open_pretrained_page(page, offline_app_url)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()

    models = page.get_by_test_id("stMultiSelect")
    models.locator("input").click()
    page.get_by_role("option", name="InceptionV3 · weights not downloaded (92 MB)").click()
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
