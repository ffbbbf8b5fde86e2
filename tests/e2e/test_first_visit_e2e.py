"""Real browser on a just-started server: a deep link says what it is loading, never a blank page.

The first visitor of a server waits while TensorFlow loads; before the busy sign, a link
straight to Grad-CAM showed an empty page for that time.
"""

import pytest

from tests.e2e.conftest import screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_new_servers_first_grad_cam_visit_shows_what_it_is_loading(browser, tmp_path):
    with serve_app(tmp_path / "home") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        try:
            pg.goto(url + "/gradcam")
            spinner = pg.get_by_test_id("stSpinner").filter(has_text="Loading TensorFlow")
            spinner.wait_for(timeout=60_000)
            # Loading comes first: the page's own title is not drawn yet.
            assert not pg.get_by_role("heading", name="Grad-CAM").count()
            screenshot(pg, "first_visit_loading", height=800)
            pg.get_by_role("heading", name="Grad-CAM").first.wait_for()
            pg.get_by_text("overlay (").wait_for()
            wait_for_app(pg)
            assert not pg.get_by_test_id("stException").count()
            screenshot(pg, "first_visit_gradcam")
        finally:
            context.close()
