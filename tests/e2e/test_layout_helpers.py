"""The layout checks themselves, on hand-made HTML with known geometry (no app needed)."""

import pytest

from tests.e2e.layout import assert_apart, assert_within, clipped, overlap_area

HTML = """
<div data-testid="stMainBlockContainer" style="width:600px">
  <div data-testid="stColumn" style="width:200px; height:600px; position:relative">
    <div id="a" style="position:absolute; left:0; top:0; width:100px; height:50px"></div>
    <div id="b" style="position:absolute; left:90px; top:40px; width:100px; height:50px"></div>
    <div id="c" style="position:absolute; left:0; top:200px; width:100px; height:20px"></div>
    <div id="wide" class="t" style="position:absolute; top:300px; width:280px; height:10px"></div>
    <div id="cut" class="t" style="position:absolute; top:400px; width:100px; height:20px;
         overflow:hidden; white-space:nowrap">a line far too long for a 100 px box</div>
    <div id="ok" class="t" style="position:absolute; top:500px; width:100px">fits</div>
  </div>
</div>
"""


@pytest.fixture
def drawn(page):
    page.set_content(HTML)
    return page


def test_overlap_is_found_and_touching_is_not(drawn):
    a, b, c = (drawn.locator(f"#{n}") for n in "abc")
    with pytest.raises(AssertionError, match="overlaps"):
        assert_apart(a, b)
    assert_apart(a, c)
    assert overlap_area(a.bounding_box(), b.bounding_box()) == pytest.approx(10 * 10)


def test_within_fails_for_a_box_leaving_its_parent(drawn):
    with pytest.raises(AssertionError, match="not inside"):
        assert_within(drawn.locator("#wide"), drawn.locator('[data-testid="stColumn"]'))
    assert_within(drawn.locator("#ok"), drawn.locator('[data-testid="stColumn"]'))


def test_clipped_names_the_cut_and_the_too_wide_only(drawn):
    found = clipped(drawn, ".t")
    whats = sorted(f["what"] for f in found)
    assert whats == ["content wider than its box", "wider than its column"]
