"""Train's 'The code' expander in Chromium: the code of the page's settings, and its download."""

from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_train_shows_and_downloads_the_code_of_its_settings(app_url, page):
    page.goto(app_url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    expander = page.get_by_test_id("stExpander").filter(has_text="The code: run it yourself")
    expander.get_by_text("The code: run it yourself").click()
    wait_for_app(page)
    expander.get_by_text("Show the code here").click()
    wait_for_app(page)
    code = expander.get_by_test_id("stCode").first
    code.wait_for()
    assert "EPOCHS = 10" in code.inner_text()  # the shapes' tuned epochs, as on the page
    with page.expect_download() as info:
        expander.get_by_role("button", name="Download the script (.py)").click()
    script = Path(info.value.path()).read_text(encoding="utf-8")
    assert "model.summary()" in script and "from cnnviz" not in script
    assert info.value.suggested_filename.endswith(".py")
    assert expander.get_by_role("button", name="Download the notebook (.ipynb)").count()
    assert not page.get_by_test_id("stException").count()
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        expander.get_by_text("The code: run it yourself").scroll_into_view_if_needed()
        screenshot(page, f"train-code-{width}", height=900)
