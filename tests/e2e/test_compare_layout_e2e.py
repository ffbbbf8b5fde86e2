"""Compare runs on a projector (issue 16, item 5): the tables show their numbers whole and the
legend (one entry per run) stays clear of the axis titles, at 1024 and 1280 px.

Two finished runs are placed in the app's store beforehand, owned by a workspace whose key
the test opens (``/train?ws=<key>``): no training in the browser."""

import keras
import pytest

from cnnviz import workspaces
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig
from tests.e2e.conftest import SCREENSHOTS, screenshot, wait_for_app
from tests.e2e.layout import box, clipped, overlap_area

pytestmark = pytest.mark.e2e

# Names as the Train page gives them: long, alike, told apart only near their ends.
RUNS = (
    ("#1 MNIST CNN on digits (lr 0.002 · batch 32 · 10 epochs)", None, 0.0),
    ("#2 MNIST CNN on digits · with dropout (0.5), again from #1", 0.5, 1.0),
)

# Elements whose content reaches past a box that hides or scrolls it (numbers off to the
# right of a table, a column cut short).
_SCROLLED_JS = """
(root) => {
    const out = [];
    for (const el of [root, ...root.querySelectorAll("*")]) {
        const style = getComputedStyle(el);
        if (!["hidden", "clip", "auto", "scroll"].includes(style.overflowX)) continue;
        if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
            out.push({el: el.className || el.tagName, scroll: el.scrollWidth,
                      client: el.clientWidth, text: (el.innerText || "").slice(0, 60)});
        }
    }
    return out;
}
"""


@pytest.fixture(scope="module")
def workspace_with_runs(app_home):
    """A workspace key owning two stored digit runs: without and with dropout."""
    key = workspaces.new_key()
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    store = ModelStore(root=app_home / "models")
    for (name, dropout, created), val in zip(
        RUNS, ([0.9, 0.7, 0.8, 0.95], [0.95, 0.7, 0.6, 0.55]), strict=True
    ):
        store.save(
            model,
            {
                "name": name,
                "owner": key,
                "created_ts": created,
                "dataset": {"name": "digits", "options": {"upscale": 28}},
                "training": TrainingConfig(epochs=4, dropout=dropout).to_dict(),
                "history": {
                    "loss": [1.2, 0.6, 0.35, 0.2],
                    "accuracy": [0.6, 0.85, 0.92, 0.96],
                    "val_loss": val,
                    "val_accuracy": [0.7, 0.83, 0.86, 0.88],
                },
                "test_metrics": {"loss": 0.4123, "accuracy": 0.9123},
            },
        )
    return key


def _compare_plot(pg):
    return pg.locator(".st-key-train_compare_plot .js-plotly-plot").first


def _chart_problems(plot) -> list[str]:
    """What is wrong with the comparison chart's layout (empty when nothing is)."""
    problems = []
    # One legend entry per run (line style for training/validation said once).
    names = plot.evaluate(
        "c => Array.from(c.querySelectorAll('.legend .legendtext'), t => t.textContent)"
    )
    runs = [n for n in names if n.strip().startswith("#")]
    if len(runs) != len(RUNS):
        problems.append(f"{len(runs)} legend entries for {len(RUNS)} runs: {names}")

    # The legend lies inside the chart and clear of every axis and subplot title.
    legend = box(plot.locator(".legend").first)
    chart = box(plot)
    if not (
        legend["y"] >= chart["y"] - 1
        and legend["y"] + legend["height"] <= chart["y"] + chart["height"] + 1
        and legend["x"] + legend["width"] <= chart["x"] + chart["width"] + 1
    ):
        problems.append(f"legend {legend} reaches outside the chart {chart}")
    titles = plot.locator(
        "text.xtitle, text.x2title, text.x3title, text.ytitle, text.y2title, "
        "text.y3title, .infolayer .annotation"
    )
    assert titles.count() >= 2
    # Plot areas: an axis title must not sit on a neighbouring panel either.
    panels = [box(p) for p in plot.locator(".draglayer .nsewdrag").all()]
    for t in titles.all():
        b = t.bounding_box()
        if not b or b["width"] == 0:
            continue
        if overlap_area(legend, b) > 0:
            problems.append(f"legend {legend} overlaps {t.text_content()!r} {b}")
        for panel in panels:
            if overlap_area(panel, b) > 0:
                problems.append(f"axis title {t.text_content()!r} {b} lies on a panel {panel}")
    return problems


@pytest.mark.parametrize("width", [1024, 1280])
def test_compare_tables_and_legend_fit_a_projector(app_url, browser, workspace_with_runs, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    try:
        pg.goto(f"{app_url}/train?ws={workspace_with_runs}")
        pg.get_by_role("heading", name="Compare runs").first.wait_for(timeout=240_000)
        wait_for_app(pg)
        plot = _compare_plot(pg)
        plot.wait_for()
        plot.scroll_into_view_if_needed()
        pg.wait_for_timeout(1000)  # let plotly finish its layout
        assert not pg.get_by_test_id("stException").count()

        problems = _chart_problems(plot)  # every layout fault at once: one run shows all

        # Both tables: whole, inside their column, nothing scrolled out of sight.
        heading = pg.get_by_text("Final test metrics").first
        heading.scroll_into_view_if_needed()
        wait_for_app(pg)
        tables = pg.locator(
            '[data-testid="stMain"] [data-testid="stDataFrame"], '
            '[data-testid="stMain"] [data-testid="stTable"]'
        )
        assert tables.count() >= 2
        problems += clipped(pg, '[data-testid="stDataFrame"], [data-testid="stTable"]')
        for i in range(tables.count()):
            hidden = tables.nth(i).evaluate(_SCROLLED_JS)
            if hidden:
                problems.append(f"table {i} hides part of its content: {hidden}")
        # The "same again" buttons show their whole labels.
        for button in pg.locator('[class*="st-key-train_again_"] button').all():
            hidden = button.evaluate(_SCROLLED_JS)
            if hidden:
                problems.append(f"button {button.inner_text()!r} is cut short: {hidden}")

        # What the class sees: the section itself (and the whole page for the record).
        pg.get_by_role("heading", name="Compare runs").first.evaluate("e => e.scrollIntoView()")
        pg.mouse.move(5, 5)  # no tooltip in the picture
        pg.wait_for_timeout(700)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SCREENSHOTS / f"compare_{width}.png"))
        screenshot(pg, f"compare_{width}_page")

        # Three panels with the overfitting gap: still one entry per run, nothing overlaps.
        pg.locator(".st-key-train_compare_gap").click()
        wait_for_app(pg)
        pg.wait_for_function(
            "() => { const c = document.querySelector("
            "'.st-key-train_compare_plot .js-plotly-plot');"
            " return c && c._fullData && c._fullData.length === 10; }"
        )
        pg.wait_for_timeout(1000)
        problems += _chart_problems(_compare_plot(pg))
        pg.get_by_role("heading", name="Compare runs").first.evaluate("e => e.scrollIntoView()")
        pg.mouse.move(5, 5)
        pg.wait_for_timeout(700)
        pg.screenshot(path=str(SCREENSHOTS / f"compare_gap_{width}.png"))
        assert not problems, "\n".join(map(str, problems))
    finally:
        context.close()
