"""Real browser: a trained model shared in the store, seen through Activations, Filter
visualization and Grad-CAM in one browser session."""

import pytest

from cnnviz import attribution
from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app
from tests.pages.inspect_helpers import save_tiny_model

pytestmark = pytest.mark.e2e

MODEL_NAME = "e2e shapes cnn"


@pytest.fixture(scope="module")
def shared_model(app_home):
    """A small CNN trained briefly on shapes, shared by another session in the app's store."""
    return save_tiny_model(
        "e2e-teacher",
        name=MODEL_NAME,
        shared=True,
        filters=(16, 32, 32),
        train_epochs=10,
        n_train=1500,
        root=app_home / "models",
    )


def _pick_model(pg, name: str) -> None:
    box = pg.locator('[data-testid="stSelectbox"]').filter(has_text="Model").first
    box.click()
    pg.get_by_role("option").filter(has_text=name).first.click()
    wait_for_app(pg)


def _go(pg, title: str, url_path: str) -> None:
    follow_sidebar_link(pg, title, url_path)


def _tall_screenshot(pg, name: str, height: int | None = None) -> None:
    pg.mouse.move(5, 5)  # no tooltip in the picture
    wait_for_app(pg)
    screenshot(pg, name, height)


def test_trained_model_activations_featureviz_gradcam(app_url, page, shared_model):
    pg = page
    pg.goto(app_url)
    wait_for_app(pg)
    _go(pg, "Activations", "activations")
    _pick_model(pg, MODEL_NAME)
    pg.get_by_text("Channel maps of conv1").wait_for()
    pg.get_by_text("conv1: 16 kernels of 3×3 pixels").wait_for()
    pg.get_by_text("Channels that stay at zero (test image #1)").wait_for()
    wait_for_app(pg)
    pg.locator('[data-testid="stPlotlyChart"]').nth(2).wait_for()  # grid, zoom, bars
    assert pg.locator('[data-testid="stException"]').count() == 0
    # A second test image through the same filters, side by side.
    pg.get_by_text("Compare two images").click()
    pg.get_by_text("Second image").wait_for()
    pg.get_by_text("Channels that stay at zero (test image #2)").wait_for()
    _tall_screenshot(pg, "activations")
    assert pg.locator('[data-testid="stException"]').count() == 0

    _go(pg, "Filter visualization", "featureviz")
    pg.get_by_text("Both, side by side on the same filters").click()
    wait_for_app(pg)
    pg.get_by_role("button", name="Generate").click()
    pg.get_by_text("made in").nth(1).wait_for(timeout=120_000)
    wait_for_app(pg)
    assert pg.get_by_text("filter 0", exact=True).count() == 2  # quality and naive
    assert pg.locator('[data-testid="stException"]').count() == 0
    _tall_screenshot(pg, "featureviz")

    _go(pg, "Grad-CAM", "gradcam")
    pg.get_by_text("overlay (").wait_for()
    pg.get_by_text("True class:").first.wait_for()  # a test image: the stored model is kept
    assert pg.get_by_text("heatmap for").count() == 1
    assert pg.locator('[data-testid="stException"]').count() == 0
    # Can the heatmap be trusted? The page says so itself, in words and a table.
    pg.get_by_text("Can this heatmap be trusted?").wait_for()
    pg.get_by_text("Grad-CAM points inside the shape").wait_for(timeout=120_000)
    pg.get_by_text("always guessing the centre would manage").wait_for()
    # One pointing-game reading, in the words of its result.
    readings = attribution.POINTING_READING.values()
    assert sum(pg.get_by_text(r).count() for r in readings) == 1
    pg.get_by_role("button", name="Run the sanity check for Grad-CAM").click()
    pg.get_by_text("random down to conv1").wait_for(timeout=120_000)
    pg.get_by_text("showing the image, not the model").first.wait_for()
    # The randomisation reading follows its ρ, with the thresholds, and one verdict reads
    # both checks together.
    pg.get_by_text("ρ below 0.3: depends on the weights (passes)").wait_for()
    pg.get_by_text("Both checks together").wait_for()
    pg.get_by_text("Pointing game", exact=True).wait_for()
    pg.get_by_text("Randomisation", exact=True).wait_for()
    assert pg.locator('[data-testid="stException"]').count() == 0
    _tall_screenshot(pg, "gradcam", 2600)
