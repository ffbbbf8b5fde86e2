"""Neurons playground in Chromium: Play redraws the boundary live, the accuracy appears, a
link opens its setup, and the page fits a projector's 1024 px and a laptop's 1280 px."""

import re

import pytest

from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.layout import fits_viewport_width

pytestmark = pytest.mark.e2e

# Buttons, widget labels and checkbox labels whose text is cut (an ellipsis, or wrapped
# letter by letter into a box narrower than a word).
CUT_LABELS = """() => {
    const out = [];
    const sel = '[data-testid="stButton"] button, [data-testid="stWidgetLabel"], '
        + '[data-testid="stCheckbox"] label';
    for (const box of document.querySelectorAll(sel)) {
        for (const el of [box, ...box.querySelectorAll('*')]) {
            // (a 1-px box is hidden on purpose)
            if (el.clientWidth > 2 && el.scrollWidth > el.clientWidth + 1) {
                out.push((box.innerText || '').slice(0, 40));
                break;
            }
        }
    }
    return out;
}"""
# The boundary picture's address (a new one each redraw), found by its caption.
BOUNDARY_SRC = """() => {
    for (const el of document.querySelectorAll('[data-testid="stImage"]')) {
        if (el.innerText.includes("The network's answer")) {
            return el.querySelector('img').getAttribute('src');
        }
    }
    return null;
}"""

STATUS = re.compile(r"Epoch \d+ ·")
TRAINED = re.compile(r"Epoch [1-9]\d* · test accuracy")


def _open(browser, url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("heading", name="Neurons playground").first.wait_for()
    wait_for_app(page)
    page.wait_for_function(f"() => ({BOUNDARY_SRC})() !== null")  # the run's pictures drawn
    return context, page


def _status(page) -> str:
    return page.get_by_test_id("stMarkdownContainer").filter(has_text=STATUS).first.inner_text()


@pytest.mark.parametrize("width", [1024, 1280])
def test_play_redraws_the_boundary_and_shows_the_test_accuracy(browser, app_url, width):
    context, page = _open(browser, f"{app_url}/neurons", width)
    try:
        assert not page.get_by_test_id("stException").count()
        page.wait_for_url(lambda url: "set=spiral" in url)  # the setup is in the address
        assert "Epoch 0" in _status(page)
        assert page.evaluate(CUT_LABELS) == []
        screenshot(page, f"neurons_{width}")
        before = page.evaluate(BOUNDARY_SRC)
        assert before
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(f"(before) => ({BOUNDARY_SRC})() !== before", arg=before)
        page.get_by_test_id("stMarkdownContainer").filter(has_text=TRAINED).first.wait_for()
        page.wait_for_timeout(3000)  # it goes on learning, redrawn every tick
        page.get_by_role("button", name="Pause").click()
        wait_for_app(page)
        status = _status(page)
        assert "test accuracy" in status and "Epoch 0" not in status
        assert page.evaluate(BOUNDARY_SRC) != before
        assert not fits_viewport_width(page)
        screenshot(page, f"neurons_{width}_trained")
        assert not page.get_by_test_id("stException").count()
    finally:
        context.close()


def test_a_class_link_opens_its_setup(browser, app_url):
    context, page = _open(browser, f"{app_url}/neurons?set=xor&hidden=3&features=x,y", 1280)
    try:
        assert page.get_by_role("radio", name="XOR").is_checked()
        assert page.get_by_role("checkbox", name="x", exact=True).is_checked()
        assert not page.get_by_role("checkbox", name="sin x").is_checked()
        assert page.get_by_role("spinbutton", name="Hidden layers").input_value() == "1"
        assert not page.get_by_test_id("stException").count()
    finally:
        context.close()
