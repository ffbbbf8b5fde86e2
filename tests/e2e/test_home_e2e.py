"""The Home page in Chromium at a classroom projector's size and on a narrow window."""

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1280, 800, "home_1280"), (420, 800, "home_420")]
)
def test_home_path_at_two_widths(browser, app_url, width, height, name):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url)
        page.get_by_text("Step 1 · ").first.wait_for()
        wait_for_app(page)
        assert not page.get_by_test_id("stException").count()
        assert page.locator('[data-testid="stImage"] img').count() >= 4
        screenshot(page, name)
        page.get_by_role("link", name="Open Train").first.click()
        page.get_by_role("heading", name="Train").first.wait_for()
    finally:
        context.close()
