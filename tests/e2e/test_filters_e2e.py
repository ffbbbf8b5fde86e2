import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.layout import box

pytestmark = pytest.mark.e2e


def _checkerboard_png(path):
    """A 240×160 picture with edges in every direction: squares and a disc."""
    yy, xx = np.mgrid[0:160, 0:240]
    board = (((yy // 20) + (xx // 20)) % 2) * 180 + 40
    disc = (yy - 80) ** 2 + (xx - 170) ** 2 < 45**2
    rgb = np.dstack([board, board, board]).astype(np.uint8)
    rgb[disc] = (230, 120, 30)
    Image.fromarray(rgb).save(path)
    return path


def test_filters_page_upload_and_tabs(app_url, page, tmp_path):
    page.goto(app_url + "/filters")
    page.get_by_role("heading", name="Filters").first.wait_for()
    wait_for_app(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.first.wait_for()

    # The picker sits at the top of the page.
    page.locator(".st-key-filters_source").get_by_text("Upload", exact=True).click()
    file_input = page.locator('.st-key-filters_upload input[type="file"]')
    file_input.set_input_files(str(_checkerboard_png(tmp_path / "board.png")))
    # The picker shows the uploaded file's name and size once it is decoded.
    page.get_by_text("board.png · 240×160").wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stException").count()
    assert charts.count() >= 2
    screenshot(page, "filters")

    page.get_by_role("tab", name="Sobel").click()
    page.get_by_text("Magnitude √(gx² + gy²)").first.wait_for()
    wait_for_app(page)
    assert charts.count() >= 4
    screenshot(page, "filters-sobel")


def _open_tab(page, app_url, tab: str) -> None:
    page.goto(app_url + "/filters")
    page.get_by_role("heading", name="Filters").first.wait_for()
    wait_for_app(page)
    page.get_by_role("tab", name=tab).click()
    wait_for_app(page)


def _clipped(locator) -> list[str]:
    """Texts of the matched elements whose content is wider than their box (cut off)."""
    return locator.evaluate_all(
        """els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
    )


@pytest.mark.parametrize("width", [1024, 1400])
def test_step_through_fits_a_projector(app_url, browser, width):
    """At a projector's 1024 px the sum and the radio labels stay whole (issue: 'Sum = outpu…')."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open_tab(page, app_url, "Step through")
        metric = page.get_by_test_id("stMetric").first
        metric.wait_for()
        assert "Sum = output pixel" in metric.inner_text()
        assert not _clipped(
            page.locator('[data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *')
        )
        assert not _clipped(page.get_by_test_id("stRadio").locator("label"))
        screenshot(page, f"filters-step-{width}")
        page.get_by_text("Max pooling", exact=True).click()
        wait_for_app(page)
        page.get_by_text("Max = output pixel").wait_for()
        assert not page.get_by_test_id("stException").count()
        screenshot(page, f"filters-pooling-{width}")
        page.get_by_role("tab", name="Gabor").click()
        wait_for_app(page)
        page.get_by_text("Over the photo", exact=True).first.click()
        wait_for_app(page)
        page.get_by_text("Response over the photo").first.wait_for()
        assert not _clipped(page.get_by_test_id("stRadio").locator("label"))
        screenshot(page, f"filters-gabor-over-{width}")
        # A dataset image (the lecture's filter bank on digits), responses over the digit.
        page.locator(".st-key-filters_source").get_by_text("Dataset", exact=True).click()
        wait_for_app(page)
        page.get_by_text("(28×28, enlarged ×4)").first.wait_for()
        page.get_by_role("tab", name="Filter bank").click()
        wait_for_app(page)
        page.get_by_text("Over the photo", exact=True).first.click()
        wait_for_app(page)
        assert not page.get_by_test_id("stException").count()
        screenshot(page, f"filters-bank-digit-{width}")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize(("key", "heading"), [("filters", "Filters"), ("pretrained", "Pretrained")])
def test_image_picker_is_in_view_on_load(app_url, browser, width, key, heading):
    """At 1024×800 the image picker is seen without scrolling (issue 16, item 9: it sat at
    the bottom of the sidebar, below the fold, on Filters and on Pretrained)."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url + f"/{key}")
        page.get_by_role("heading", name=heading).first.wait_for()
        wait_for_app(page)
        picker = {
            "source": page.locator(f".st-key-{key}_source").first,
            "sample": page.locator(f".st-key-{key}_sample").first,
            "preview": page.get_by_text("sample: cat · 451×300").first,
        }
        view = page.viewport_size
        for what, loc in picker.items():
            b = box(loc)
            inside = (
                b["x"] >= 0
                and b["y"] >= 0
                and b["x"] + b["width"] <= view["width"] + 1
                and b["y"] + b["height"] <= view["height"] + 1
            )
            assert inside, f"the picker's {what} {b} is outside the {width}×800 window"
        screenshot(page, f"{key}_picker_{width}", height=800)
    finally:
        context.close()
