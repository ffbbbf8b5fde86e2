"""Real browser at a classroom projector's 1024 × 768: the Activations page fits its window."""

import pytest

from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

# For every table, radio label and picture: its box, its container's box and (tables) the width of
# its columns against the width it shows. Streamlit draws tables with glide-data-grid, whose
# scroller (.dvn-scroller) is as wide as the columns; the test fails if that selector goes.
MEASURE = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const box = (el) => el.getBoundingClientRect();
    const shown = (el) => el.offsetParent !== null;  // not in a closed expander
    const tables = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .filter(shown).map((df) => {
        const scroller = df.querySelector('.dvn-scroller');
        return {
            right: box(df).right,
            columns: scroller ? scroller.scrollWidth : null,
            shown: scroller ? scroller.clientWidth : null,
        };
    });
    const labels = [...document.querySelectorAll('[data-testid="stRadio"] label')].map((l) => ({
        text: l.innerText.split('\\n')[0],
        right: box(l).right,
        columnRight: box(l.closest('[data-testid="stColumn"]') || main).right,
    }));
    const images = [...document.querySelectorAll('[data-testid="stImage"] img')].map((im) => ({
        src: im.alt || im.src.slice(-30),
        right: box(im).right,
        columnRight: box(im.closest('[data-testid="stColumn"]') || main).right,
    }));
    return {mainRight: box(main).right, tables, labels, images};
}"""


def _assert_fits(pg, tables: int) -> None:
    seen = pg.evaluate(MEASURE)
    assert len(seen["tables"]) == tables, seen["tables"]
    for table in seen["tables"]:
        assert table["columns"] is not None, "Streamlit's table markup changed"
        assert table["columns"] <= table["shown"] + 1, f"table columns clipped: {table}"
        assert table["right"] <= seen["mainRight"] + 1, f"table wider than the page: {table}"
    assert seen["labels"], "no radio buttons measured"
    for label in seen["labels"]:
        assert label["right"] <= label["columnRight"] + 1, f"radio label clipped: {label}"
    for image in seen["images"]:
        assert image["right"] <= image["columnRight"] + 1, f"picture spills over: {image}"


def _shoot(pg, name: str) -> None:
    wait_for_app(pg)
    assert not pg.get_by_test_id("stException").count()
    pg.mouse.move(5, 5)  # no tooltip in the picture
    screenshot(pg, name)


def test_activations_page_fits_a_1024_pixel_projector(browser, app_url):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    try:
        pg.goto(app_url)
        wait_for_app(pg)
        follow_sidebar_link(pg, "Activations", "activations")
        pg.get_by_text("Channel maps of").first.wait_for()
        pg.get_by_role("heading", name="Layers").first.wait_for()
        _shoot(pg, "activations_1024")
        _assert_fits(pg, tables=1)

        # The other tables and radio buttons of the page: the Gabor fits of the first
        # convolution's kernels, and two images side by side.
        pg.get_by_text("Compare two images").click()
        pg.get_by_text("Second image").wait_for()
        wait_for_app(pg)
        pg.get_by_text("Compare each kernel with its closest Gabor kernel").click()
        pg.get_by_text("The fitted parameters").click()
        pg.get_by_test_id("stDataFrame").nth(1).wait_for()
        _shoot(pg, "activations_1024_compare_gabor")
        _assert_fits(pg, tables=2)  # the layers and the fitted Gabor parameters
    finally:
        context.close()
