import pytest

from tests.e2e.conftest import JOB_LINE, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _curve_points(page) -> int:
    """Points drawn in the learning-curve chart (all traces)."""
    return page.evaluate(
        """() => {
            const chart = document.querySelector('.st-key-train_curves .js-plotly-plot');
            if (!chart || !chart._fullData) return 0;
            return chart._fullData.reduce((n, t) => n + (t._length || 0), 0);
        }"""
    )


def test_train_shapes_and_watch_the_curves_grow(app_url, page):
    page.goto(app_url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stException").count()

    # A small job: the fewest, smallest shapes images, and enough epochs that the curves are
    # seen growing however fast the machine (3 epochs ended within one 1 s poll on a warm worker).
    page.get_by_role("slider", name="Training images").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    page.get_by_role("slider", name="Image size").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    epochs = page.get_by_label("Epochs")
    epochs.fill("30")
    epochs.press("Enter")
    wait_for_app(page)

    # While a rerun settles Streamlit may briefly keep the previous run's copy of the button.
    wait_for_app(page)
    # Count the chart's points ten times a second from the click on: the curves must be seen
    # at two or more sizes before the end.
    page.evaluate(
        """() => {
            window.__cnnvizCounts = [];
            window.__cnnvizTimer = setInterval(() => {
                const c = document.querySelector('.st-key-train_curves .js-plotly-plot');
                const data = (c && c._fullData) || [];
                const n = data.reduce((k, t) => k + (t._length || 0), 0);
                const seen = window.__cnnvizCounts;
                if (n && seen[seen.length - 1] !== n) seen.push(n);
            }, 100);
        }"""
    )
    page.locator(".st-key-train_start button").first.click()
    page.get_by_text(JOB_LINE).first.wait_for()
    page.locator(".st-key-train_curves").wait_for()
    page.wait_for_function(
        "() => { const c = document.querySelector('.st-key-train_curves .js-plotly-plot');"
        " return c && c._fullData && c._fullData.some(t => t._length > 0); }",
        timeout=120_000,
    )
    early = _curve_points(page)
    screenshot(page, "train-running")

    page.get_by_text("Test accuracy").first.wait_for(timeout=300_000)
    wait_for_app(page)
    final = _curve_points(page)
    seen = page.evaluate(
        "() => { clearInterval(window.__cnnvizTimer); return window.__cnnvizCounts; }"
    )
    assert early < final or (seen and seen[0] < final), (early, seen, final)
    assert not page.get_by_test_id("stException").count()
    assert page.get_by_text("Classification report").count()
    assert page.locator(".st-key-train_cm_normalize").count()
    screenshot(page, "train-done")

    # Choosing a confusion-matrix cell shows the images behind it.
    matrix = page.locator('[class*="st-key-train_cm_job"] .js-plotly-plot')
    matrix.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # let plotly finish its layout
    cell = matrix.locator(".scatterlayer .point").nth(1)
    box = cell.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => { const s = document.querySelector('.st-key-train_cm_true');"
        " return s && !s.innerText.includes('(any)'); }"
    )
    wait_for_app(page)
    assert "(any)" not in page.locator(".st-key-train_cm_pred").inner_text()
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "train-confusion-cell")
