"""A real browser: reloads keep the workspace, its models and its running job."""

import re

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

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
