"""Layout checks for real-browser tests: nothing overlaps, nothing is cut off.

A page "works" in AppTest and can still be unreadable on a projector: a heading covered by an
image, a table whose numbers sit past its right edge, a legend over the axis titles. These
helpers measure what Chromium drew (bounding boxes, scroll sizes) so a test can fail on it.

Typical use (viewport 1024 px wide)::

    assert_apart(pg.get_by_text("Prediction"), pg.get_by_role("img").first)
    assert not clipped(pg, '[data-testid="stDataFrame"]')
"""

from __future__ import annotations

from typing import Any

TOLERANCE_PX = 1.0

_CLIPPED_JS = """
([selector, tol]) => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const style = getComputedStyle(el);
        // Content wider than its box and not reachable by a visible scrollbar is cut off.
        const hidesX = ["hidden", "clip"].includes(style.overflowX);
        if (hidesX && el.scrollWidth > el.clientWidth + tol) {
            out.push({what: "content wider than its box", el: describe(el),
                      scroll: el.scrollWidth, client: el.clientWidth});
        }
        // A box reaching past the column (or page) that holds it is cut off or overlaps.
        const column = el.closest('[data-testid="stColumn"]')
            || el.closest('[data-testid="stMainBlockContainer"]')
            || el.closest('[data-testid="stSidebarUserContent"]');
        if (column && column !== el) {
            const c = column.getBoundingClientRect();
            if (r.right > c.right + tol || r.left < c.left - tol) {
                out.push({what: "wider than its column", el: describe(el),
                          left: r.left, right: r.right, col_left: c.left, col_right: c.right});
            }
        }
    }
    return out;

    function describe(el) {
        const id = el.getAttribute("data-testid") || el.tagName.toLowerCase();
        return id + ": " + (el.innerText || "").slice(0, 60).replace(/\\s+/g, " ");
    }
}
"""


def box(locator) -> dict[str, float]:
    """The locator's bounding box in CSS px (``x``, ``y``, ``width``, ``height``).

    Raises:
        AssertionError: The element is not laid out (hidden or detached).
    """
    b = locator.bounding_box()
    assert b is not None, f"{locator} is not visible"
    return b


def overlap_area(a: dict[str, float], b: dict[str, float]) -> float:
    """Area in px² shared by two boxes (0 when they only touch).

    Args:
        a: A box as returned by :func:`box`.
        b: Another box.
    """
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    if w <= TOLERANCE_PX or h <= TOLERANCE_PX:
        return 0.0
    return w * h


def assert_apart(a, b) -> None:
    """Fail when the elements of two locators overlap on screen."""
    ba, bb = box(a), box(b)
    area = overlap_area(ba, bb)
    assert area == 0.0, f"{a} {ba} overlaps {b} {bb} by {area:.0f} px²"


def assert_within(child, parent) -> None:
    """Fail when ``child`` reaches outside ``parent`` (cut off or spilling over)."""
    c, p = box(child), box(parent)
    t = TOLERANCE_PX
    inside = (
        c["x"] >= p["x"] - t
        and c["y"] >= p["y"] - t
        and c["x"] + c["width"] <= p["x"] + p["width"] + t
        and c["y"] + c["height"] <= p["y"] + p["height"] + t
    )
    assert inside, f"{child} {c} is not inside {parent} {p}"


def clipped(pg, selector: str) -> list[dict[str, Any]]:
    """Elements matching ``selector`` whose content is cut off or that leave their column.

    Args:
        pg: A Playwright page.
        selector: CSS selector of the elements to check (e.g. ``[data-testid="stImage"]``).

    Returns:
        One dict per offending element: what is wrong, a short description and the sizes.
        Empty when every element fits.
    """
    return pg.evaluate(_CLIPPED_JS, [selector, TOLERANCE_PX])


def fits_viewport_width(pg) -> list[dict[str, Any]]:
    """Main-area blocks reaching past the window's right edge (a horizontal scroll)."""
    return pg.evaluate(
        """(tol) => {
            const w = document.documentElement.clientWidth;
            const out = [];
            const blocks = document.querySelectorAll(
                '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]');
            for (const el of blocks) {
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > w + tol) {
                    out.push({right: r.right, width: w,
                              text: (el.innerText || "").slice(0, 60)});
                }
            }
            return out;
        }""",
        TOLERANCE_PX,
    )
