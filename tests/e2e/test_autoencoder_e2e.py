"""Denoising autoencoder in Chromium: the course's experiment, stopped once, then run to the end."""

import pytest

from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_train_stop_and_retrain_shows_the_three_rows(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    follow_sidebar_link(page, "Denoising autoencoder", "autoencoder")
    page.get_by_role("heading", name="Denoising autoencoder").first.wait_for()
    wait_for_app(page, 300_000)
    epochs = page.get_by_label("Epochs")
    epochs.fill("30")
    epochs.press("Enter")
    wait_for_app(page)

    # A student presses Stop mid-training: the page says so and the model is kept.
    page.locator(".st-key-autoencoder_start button").first.click()
    page.locator(".st-key-autoencoder_stop button").first.click(timeout=120_000)
    page.get_by_text("Stopped").first.wait_for(timeout=120_000)
    wait_for_app(page, 120_000)
    assert not page.get_by_test_id("stException").count()

    epochs.fill("3")
    epochs.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-autoencoder_start button").first.click()
    page.get_by_text("Finished").first.wait_for(timeout=300_000)
    wait_for_app(page, 120_000)
    for row in ("Original", "Reconstructed by the autoencoder", "The bottleneck"):
        page.get_by_text(row, exact=True).first.wait_for()
    # The baseline comparison (the truth line; the code expander's script says "against" too).
    truth = page.get_by_test_id("stMarkdownContainer").filter(has_text="mean squared error")
    truth.filter(has_text="against").first.wait_for()
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "autoencoder-finished")
