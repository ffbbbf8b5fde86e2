import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import screenshot, wait_for_app

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

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload", exact=True).click()
    file_input = sidebar.locator('[data-testid="stFileUploader"] input[type="file"]')
    file_input.set_input_files(str(_checkerboard_png(tmp_path / "board.png")))
    # The picker shows the uploaded file's name and size once it is decoded.
    sidebar.get_by_text("board.png · 240×160").wait_for()
    wait_for_app(page)
    assert not page.get_by_test_id("stException").count()
    assert charts.count() >= 2
    screenshot(page, "filters")

    page.get_by_role("tab", name="Sobel").click()
    page.get_by_text("Magnitude √(gx² + gy²)").first.wait_for()
    wait_for_app(page)
    assert charts.count() >= 4
    screenshot(page, "filters-sobel")
