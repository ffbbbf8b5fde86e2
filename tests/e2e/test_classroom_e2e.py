"""A class on one server: no traceback on a fresh start, and a watched job runs to its end."""

import time

import pytest

from bench.classroom import JOB_TIMEOUT_S, open_train_page, saved_models, training_round
from tests.e2e.conftest import screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.e2e

# Opened one after the other, a second apart, each in its own session (a class arriving).
STAGGER = ["/train", "/activations", "/gradcam", "/", "/pretrained"]


def test_fresh_server_with_pages_opened_in_a_stagger_shows_no_exception(browser, tmp_path):
    with serve_app(tmp_path / "home") as url:
        contexts, pages = [], []
        try:
            for path in STAGGER:
                ctx = browser.new_context(viewport={"width": 1300, "height": 900})
                contexts.append(ctx)
                page = ctx.new_page()
                page.set_default_timeout(180_000)
                page.goto(url + path)
                pages.append(page)
                page.wait_for_timeout(1000)
            for path, page in zip(STAGGER, pages, strict=True):
                page.locator("h1").first.wait_for()
                wait_for_app(page, 300_000)
                assert not page.get_by_test_id("stException").count(), path
                assert "partially initialized" not in page.content(), path
                # app.py's router and sidebar, not the page file run on its own (Streamlit's
                # old pages-folder mode, which a first deep link could switch a server into).
                nav = page.get_by_test_id("stSidebarNav")
                nav.get_by_text("Build intuition").wait_for(timeout=60_000)
                page.get_by_text("Device:").first.wait_for(timeout=60_000)
            screenshot(pages[0], "fresh-server-train")
        finally:
            for ctx in contexts:
                ctx.close()


def test_watched_training_finishes_and_is_stored(app_url, app_home, browser):
    # Three classmates watch one job from its first epoch to its end: it must finish and be
    # stored with every epoch's record. How fast it ran while watched is a speed question,
    # measured side by side (watched against unwatched) by bench/classroom.py, not asserted
    # here: a shared CI machine's throughput says nothing about the code.
    watched = training_round(browser, app_url, app_home, watchers=3, epochs=3)
    print(f"watched {watched}")
    assert len(watched["epoch_rates"] or []) == 3, watched
    assert watched["test_accuracy"] is not None, watched


def test_two_students_press_train_at_the_same_moment(app_url, app_home, browser):
    # Two laptops, two workspaces, one click each at once: both jobs run (or one waits its
    # turn), each is stored in its own student's workspace, and neither page shows an error.
    contexts = [browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(2)]
    try:
        pages = [open_train_page(ctx, app_url, epochs=2) for ctx in contexts]
        before = set(saved_models(app_home))
        buttons = [p.locator(".st-key-train_start button").first for p in pages]
        for button in buttons:  # as close together as one test can click
            button.click(no_wait_after=True)
        for p in pages:
            p.locator(".st-key-train_stop").first.wait_for()
        owners = {}
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while len(owners) < 2 and time.monotonic() < deadline:
            for meta in saved_models(app_home).values():
                if meta.get("id") not in before and meta.get("status") == "finished":
                    owners[meta["owner"]] = meta
            time.sleep(1.0)
        assert len(owners) == 2, owners  # two finished models, one per workspace
        for p in pages:
            p.get_by_text("Finished").first.wait_for(timeout=120_000)
            wait_for_app(p)
            assert not p.get_by_test_id("stException").count()
            assert not p.locator('[data-testid="stAlertContentError"]').count()
        screenshot(pages[1], "two-students-train")
    finally:
        for ctx in contexts:
            ctx.close()
