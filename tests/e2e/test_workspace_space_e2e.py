"""A real browser: visiting links makes nothing on disk; the first changed setting does."""

import pytest

from cnnviz import workspaces
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e


def _thumb(page, key: str) -> str:
    return page.locator(f".st-key-{key} [data-testid='stSliderThumbValue']").first.inner_text()


def test_visits_with_fresh_keys_leave_no_folders(app_url, app_home, page):
    keys = [workspaces.new_key() for _ in range(4)]
    for key, path in zip(keys, ["/", "/train", "/filters", "/transfer"], strict=True):
        page.goto(f"{app_url}{path}?ws={key}")
        wait_for_app(page)
        page.wait_for_timeout(3000)  # fragments that rerun on their own
    assert not page.get_by_test_id("stException").count()
    assert [k for k in keys if (app_home / "workspaces" / k).exists()] == []


def test_a_changed_setting_starts_the_workspace_and_survives_a_reload(app_url, app_home, page):
    key = workspaces.new_key()
    page.goto(f"{app_url}/train?ws={key}")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert not (app_home / "workspaces" / key).exists()
    page.get_by_role("slider", name="Image size").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    chosen = _thumb(page, "train_opt_shapes_size")
    assert chosen != "32"
    for _ in range(40):  # the thumb moves at once; the run that saves follows
        if (app_home / "workspaces" / key).is_dir():
            break
        page.wait_for_timeout(250)
    assert (app_home / "workspaces" / key).is_dir()
    page.reload()
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert _thumb(page, "train_opt_shapes_size") == chosen
