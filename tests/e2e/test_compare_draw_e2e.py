"""The dropout lesson in a browser: train, "same again, with dropout", compare, scrub the
epochs, then draw a digit for the model to read."""

import pytest

from tests.e2e.conftest import JOB_LINE, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _traces(page, key: str) -> int:
    return page.evaluate(
        f"""() => {{
            const c = document.querySelector('.st-key-{key} .js-plotly-plot');
            return c && c._fullData ? c._fullData.length : 0;
        }}"""
    )


def test_dropout_lesson_scrub_and_draw(app_url, page):
    page.goto(app_url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for(timeout=240_000)
    wait_for_app(page)
    page.locator(".st-key-train_dataset").click()
    page.get_by_role("option", name="Digits").first.click()
    wait_for_app(page)
    page.get_by_text("1,438 training").first.wait_for(timeout=120_000)
    epochs = page.get_by_label("Epochs")
    epochs.fill("3")
    epochs.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-train_start button").first.click()
    page.get_by_text(JOB_LINE).first.wait_for(timeout=120_000)
    screenshot(page, "compare-first-run")
    page.get_by_text("Test accuracy").first.wait_for(timeout=600_000)
    wait_for_app(page)

    # One click: the same run again, with dropout.
    again = page.locator('[class*="st-key-train_again_dropout_on_"] button').first
    again.scroll_into_view_if_needed()
    again.click()
    # When the rerun is saved, both runs join the comparison: 2 runs × loss/acc × train/val.
    page.wait_for_function(
        "() => { const c = document.querySelector('.st-key-train_compare_plot .js-plotly-plot');"
        " return c && c._fullData && c._fullData.length === 8; }",
        timeout=600_000,
    )
    wait_for_app(page)
    page.locator(".st-key-train_compare_plot").scroll_into_view_if_needed()
    wait_for_app(page)
    assert page.get_by_text("Settings that differ").count()
    page.locator(".st-key-train_compare_gap").click()
    wait_for_app(page)
    assert _traces(page, "train_compare_plot") == 10
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "compare-runs")

    # Scrub back to the random start.
    slider = page.get_by_role("slider", name="Epoch").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    page.get_by_text("kernels after epoch 0").first.wait_for()
    screenshot(page, "snapshots-epoch-0")

    # Draw a "1" on the Draw & attack page.
    # Through the sidebar: a reload would start a new session, which cannot see the runs.
    page.get_by_role("link", name="Draw & attack").first.click()
    page.get_by_role("heading", name="Draw & attack").first.wait_for(timeout=240_000)
    wait_for_app(page)
    screenshot(page, "draw-empty")
    canvas = page.locator("canvas.upper-canvas").first  # Fabric.js takes the mouse here
    canvas.wait_for(timeout=120_000)
    box = canvas.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x, box["y"] + 40 + step * (box["height"] - 80) / 20)
    page.mouse.up()
    page.get_by_text("Prediction:").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.get_by_text("What the model sees").count()
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "draw-and-attack")
