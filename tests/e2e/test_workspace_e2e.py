"""A real browser: reloads keep the workspace, its models and its running job."""

import re

import pytest

from tests.e2e.conftest import JOB_LINE, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _thumb(page, key: str) -> str:
    return page.locator(f".st-key-{key} [data-testid='stSliderThumbValue']").first.inner_text()


def test_a_failed_zip_then_shapes_keeps_the_shown_settings(app_url, page):
    page.goto(app_url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert _thumb(page, "train_opt_shapes_size") == "32"
    assert _thumb(page, "train_opt_shapes_n") == "4800"

    page.locator(".st-key-train_dataset").click()
    page.get_by_role("option", name=re.compile("Your own images")).click()
    wait_for_app(page)
    page.locator(".st-key-train_zip_upload input[type=file]").set_input_files(
        {"name": "broken.zip", "mimeType": "application/zip", "buffer": b"not a zip at all"}
    )
    page.get_by_text("not a .zip archive").first.wait_for()
    wait_for_app(page)

    page.locator(".st-key-train_dataset").click()
    page.get_by_role("option", name=re.compile("Synthetic shapes")).click()
    wait_for_app(page)
    screenshot(page, "train-after-zip-round-trip", height=1400)
    assert _thumb(page, "train_opt_shapes_size") == "32"
    assert _thumb(page, "train_opt_shapes_n") == "4800"
    assert page.get_by_text("4,800 training").count()
    assert not page.get_by_test_id("stException").count()


def _workspace_key(page) -> str:
    match = re.search(r"[?&]ws=([A-Za-z0-9_-]+)", page.url)
    assert match, page.url
    return match.group(1)


def test_a_reload_keeps_the_models_and_the_running_job(app_url, page):
    page.set_default_timeout(180_000)  # a busy shared machine: waiting is not what is tested
    page.goto(app_url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    key = _workspace_key(page)

    # A long job on tiny images: it is still running when the page reloads.
    page.get_by_role("slider", name="Training images").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    page.get_by_role("slider", name="Image size").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    epochs = page.get_by_label("Epochs")
    epochs.fill("100")
    epochs.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-train_start button").first.click()
    page.get_by_text(JOB_LINE).first.wait_for()

    # The navigation menu drops query parameters; the app puts the key back.
    page.get_by_role("link", name="Filters").first.click()
    page.get_by_role("heading", name="Filters").first.wait_for()
    wait_for_app(page)
    assert _workspace_key(page) == key

    page.goto(app_url + f"/train?ws={key}")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    page.reload()
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert _workspace_key(page) == key
    page.get_by_text(JOB_LINE).first.wait_for()
    stop = page.locator(".st-key-train_stop button")
    stop.wait_for()
    screenshot(page, "train-after-reload-running")
    stop.click()
    page.get_by_text("Stopped in epoch").first.wait_for(timeout=300_000)
    wait_for_app(page)

    # The stopped job's model is in Your models, and still there after another reload.
    page.reload()
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert page.get_by_text(re.compile(r"MNIST CNN on shapes .* stopped")).count()
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "train-after-reload-models")

    # A fresh browser without the key sees a new, empty workspace.
    other = page.context.browser.new_context().new_page()
    other.set_default_timeout(180_000)
    other.goto(app_url + "/train")
    other.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(other)
    assert _workspace_key(other) != key
    assert not other.get_by_text(re.compile(r"MNIST CNN on shapes .* stopped")).count()
    other.context.close()
