"""Real browser at a projector's 1024 px and a laptop's 1280 px: Draw & attack fits.

The drawing pad sits whole in its column, "What the model sees" stays off the "Prediction"
heading, the probabilities chart and the captions are not cut off, and no blank band opens
above the activation grids.
"""

import pytest

from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app
from tests.e2e.layout import assert_apart, assert_within, clipped, fits_viewport_width
from tests.pages.inspect_helpers import OWNER

pytestmark = pytest.mark.e2e

MODEL_NAME = "e2e digits cnn"
MAX_GAP_PX = 100  # a title and a margin fit in 100 px; more is a blank band

# The empty band above each activation grid: from the lowest bottom of what comes before it
# in the page (its block's earlier siblings, and theirs, up to the main container) to the top
# of the grid's drawn cells (the heatmap's picture, not the plot area that letterboxes it).
GAP_ABOVE = """(el) => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const cells = el.querySelector('.heatmaplayer image') || el;
    const top = cells.getBoundingClientRect().top;
    let lowest = -Infinity;
    for (let node = el; node && node !== main; node = node.parentElement) {
        for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
            const r = sib.getBoundingClientRect();
            if (r.height > 0 && r.bottom <= top + 1) lowest = Math.max(lowest, r.bottom);
        }
        if (lowest > -Infinity) break;
    }
    return top - lowest;
}"""


# Where the pad is not shown: points along its edges where the browser finds something else on
# top (the next column, or the page past the pad's clipped column), and a block holding it
# that is narrower than it. The component lives in a shadow root: walk up through its host.
PAD_HIDDEN = """(canvas) => {
    const up = (n) => n.parentElement || (n.getRootNode() && n.getRootNode().host) || null;
    const host = (() => { let n = canvas; while (up(n)) n = up(n); return n; })();
    const r = canvas.getBoundingClientRect();
    const out = [];
    for (const [fx, fy] of [[0.02, 0.5], [0.98, 0.1], [0.98, 0.5], [0.98, 0.9], [0.5, 0.5]]) {
        const x = r.left + fx * r.width, y = r.top + fy * r.height;
        let hit = document.elementFromPoint(x, y);
        let mine = false;
        for (let n = canvas; n; n = up(n)) {
            if (n === hit) { mine = true; break; }
            if (n.shadowRoot && n.shadowRoot.contains(canvas)) { mine = n === hit; break; }
        }
        if (!mine) out.push({x, y, covered_by: hit ? (hit.getAttribute('data-testid')
            || hit.tagName) + ': ' + (hit.innerText || '').slice(0, 40) : null});
    }
    for (let n = up(canvas); n; n = up(n)) {
        const id = n.getAttribute && n.getAttribute('data-testid');
        if (id === 'stColumn' || id === 'stVerticalBlock' || id === 'stHorizontalBlock') {
            const b = n.getBoundingClientRect();
            if (r.left < b.left - 1 || r.right > b.right + 1) {
                out.push({block: id, left: b.left, right: b.right, pad: [r.left, r.right]});
            }
        }
    }
    return out;
}"""


@pytest.fixture(scope="module")
def digits_model(app_home):
    """An untrained digits CNN shared in the served app's store (its answers do not matter)."""
    import keras

    from cnnviz.store import ModelStore

    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="conv2")(x)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    meta = {
        "name": MODEL_NAME,
        "owner": OWNER,
        "shared": True,
        "class_names": [str(i) for i in range(10)],
        "dataset": {"name": "digits", "options": {"upscale": 28}},
    }
    return ModelStore(app_home / "models").save(model, meta)


def _draw_a_one(pg) -> None:
    """One vertical stroke on the pad (Fabric.js takes the mouse on its upper canvas)."""
    canvas = _canvas(pg)
    canvas.wait_for(timeout=120_000)
    canvas.scroll_into_view_if_needed()
    b = canvas.bounding_box()
    x = b["x"] + b["width"] / 2
    pg.mouse.move(x, b["y"] + 40)
    pg.mouse.down()
    for step in range(1, 21):
        pg.mouse.move(x, b["y"] + 40 + step * (b["height"] - 80) / 20)
    pg.mouse.up()


def _canvas(pg):
    """The pad's drawing surface (Fabric.js draws on its lower canvas, takes the mouse on the
    upper one, both as large as the pad)."""
    return pg.locator("canvas.upper-canvas").first


@pytest.mark.parametrize("width", [1024, 1280])
def test_draw_and_attack_fits_the_window(browser, app_url, digits_model, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    try:
        pg.goto(app_url)
        wait_for_app(pg)
        follow_sidebar_link(pg, "Draw & attack", "playground")
        picker = pg.locator('[data-testid="stSelectbox"]').filter(has_text="Model").first
        picker.click()
        pg.get_by_role("option").filter(has_text=MODEL_NAME).first.click()
        wait_for_app(pg)
        _draw_a_one(pg)
        pg.get_by_text("Prediction:").first.wait_for(timeout=60_000)
        pg.locator('[class*="st-key-play_draw_act_"]').first.wait_for(timeout=60_000)
        wait_for_app(pg)
        pg.mouse.move(5, 5)  # no tooltip in the picture
        screenshot(pg, f"playground_{width}")
        assert not pg.get_by_test_id("stException").count()

        problems = _layout_problems(pg)
        assert not problems, f"at {width} px:\n" + "\n".join(problems)
    finally:
        context.close()


def _layout_problems(pg) -> list[str]:
    """Every layout fault of the Draw section, in words (all of them, not just the first)."""
    problems = []

    def check(what, fn):
        try:
            fn()
        except AssertionError as err:
            problems.append(f"{what}: {err}")

    # The 280-px pad whole inside its block, and nothing else drawn over it.
    canvas = _canvas(pg)
    hidden = canvas.evaluate(PAD_HIDDEN)
    if hidden:
        problems.append(f"the drawing pad is cut off or covered: {hidden}")

    # "What the model sees" leaves the "Prediction" heading alone.
    seen = pg.locator('[data-testid="stImage"]').filter(has_text="What the model sees")
    heading = pg.get_by_text("Prediction:").first
    check("picture over the heading", lambda: assert_apart(seen.locator("img").first, heading))
    check("caption over the heading", lambda: assert_apart(seen, heading))

    # Charts, pictures and captions fit their columns and the window.
    for selector in (
        '[data-testid="stPlotlyChart"]',
        '[data-testid="stImage"]',
        '[data-testid="stCaptionContainer"]',
        '[data-testid="stMarkdownContainer"]',
        '[data-testid="stMetric"]',
    ):
        problems += [f"cut off: {c}" for c in clipped(pg, selector)]
    problems += [f"past the window: {c}" for c in fits_viewport_width(pg)]
    # The probabilities' axis labels inside the chart's box.
    top_k = pg.locator(".st-key-play_draw_topk")
    for tick in top_k.locator(".xtick text, .ytick text").all():
        check(f"axis label {tick.text_content()!r}", lambda t=tick: assert_within(t, top_k))

    # No blank band above the activation grids.
    for grid in pg.locator('[class*="st-key-play_draw_act_"]').all():
        gap = grid.evaluate(GAP_ABOVE)
        if gap > MAX_GAP_PX:
            problems.append(f"{gap:.0f} px of empty space above an activation grid")
    return problems
