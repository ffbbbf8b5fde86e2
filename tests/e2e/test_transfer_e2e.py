"""Real browser: transfer learning on the default set with the bundled base, then Grad-CAM."""

import pytest

from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

RUN_NAME = "EfficientNet-Lite0 features on few_shapes"


def _go(pg, title: str, url_path: str) -> None:
    follow_sidebar_link(pg, title, url_path)


def test_transfer_on_the_default_set_then_gradcam_inside_the_base(app_url, page):
    pg = page
    pg.goto(app_url + "/transfer")
    pg.get_by_role("heading", name="Transfer learning").first.wait_for()
    wait_for_app(pg)
    assert not pg.get_by_test_id("stException").count()
    pg.get_by_text("Trainable params").first.wait_for()
    screenshot(pg, "transfer-setup")

    epochs = pg.get_by_label("Epochs")
    epochs.fill("5")
    epochs.press("Enter")
    wait_for_app(pg)
    pg.locator(".st-key-transfer_start button").first.click()
    pg.get_by_text("Test accuracy").first.wait_for(timeout=300_000)
    wait_for_app(pg)
    assert not pg.get_by_test_id("stException").count()
    assert pg.get_by_text("Classification report").count()
    pg.locator(".st-key-transfer_compare_plot .js-plotly-plot").wait_for()
    screenshot(pg, "transfer-done")

    _go(pg, "Grad-CAM", "gradcam")
    box = pg.locator('[data-testid="stSelectbox"]').filter(has_text="Model").first
    box.click()
    pg.get_by_role("option").filter(has_text=RUN_NAME).first.click()
    wait_for_app(pg)
    pg.get_by_text("overlay (").wait_for(timeout=120_000)
    wait_for_app(pg)
    assert pg.get_by_text("heatmap for").count() == 1
    assert pg.get_by_text("head_activation").count() >= 1  # the default layer, inside the base
    assert not pg.get_by_test_id("stException").count()
    pg.mouse.move(5, 5)
    screenshot(pg, "transfer-gradcam")
