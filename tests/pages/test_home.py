"""Home page: the guided path links only to pages that exist, each with its picture."""

import ast
from pathlib import Path

from tests.pages.conftest import ROOT, app_test


def test_home_shows_the_path_in_the_courses_order():
    at = app_test("app.py").run()
    assert not at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("**Step ")]
    assert steps[0].startswith("**Step 1 · :material/filter_alt: Filters")
    assert "Train" in steps[1]
    titles = " ".join(steps)
    for page in ("Activation functions", "Activations", "Grad-CAM", "Pretrained"):
        assert page in titles
    assert len(at.get("image")) >= 4  # the app-made pictures


def test_steps_whose_file_is_missing_are_left_out():
    source = (ROOT / "pages" / "home.py").read_text()
    existing = {p.stem for p in Path(ROOT, "pages").glob("*.py")}
    step_pages = [line.split('"')[1] for line in source.splitlines() if line.startswith('    ("')]
    assert "autoencoder" in step_pages  # listed, shown once its page exists
    at = app_test("pages/home.py").run()
    assert not at.exception
    shown = [m.value for m in at.markdown if m.value.startswith("**Step ")]
    assert len(shown) == len([p for p in step_pages if p in existing])


def _steps() -> list[tuple]:
    """pages/home.py's STEPS table, read as a literal (the page itself needs a session)."""
    source = (ROOT / "pages" / "home.py").read_text()
    table = source[source.index("STEPS = [") : source.index("]  # fmt: skip") + 1]
    return ast.literal_eval(table.removeprefix("STEPS = "))


def test_every_shown_step_has_its_picture():
    steps = _steps()
    assert len(steps) >= 10
    for page, title, _icon, picture, _sentence in steps:
        if not (ROOT / "pages" / f"{page}.py").exists():
            continue  # not shown until its page exists
        assert picture, f"the step {title} has no picture"
        assert (ROOT / "assets" / "home" / f"{picture}.png").is_file(), picture


def test_home_draws_a_picture_on_every_step():
    at = app_test("pages/home.py").run()
    assert not at.exception
    shown = [m.value for m in at.markdown if m.value.startswith("**Step ")]
    assert len(at.get("image")) == len(shown)


def test_pictures_are_small_and_committed():
    pictures = sorted((ROOT / "assets" / "home").glob("*.png"))
    assert len(pictures) >= 9
    assert all(p.stat().st_size < 150_000 for p in pictures)
    assert sum(p.stat().st_size for p in pictures) < 800_000


def test_make_pictures_makes_every_picture_the_home_page_shows():
    script = (ROOT / "assets" / "make_pictures.py").read_text()
    for _page, title, _icon, picture, _sentence in _steps():
        if picture:
            assert f'_save("{picture}"' in script, f"{title}: {picture}.png is made by no code"
