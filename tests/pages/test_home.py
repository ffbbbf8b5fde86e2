"""Home page: the guided path links only to pages that exist, each with its picture."""

import dataclasses

from cnnviz.ui.common import navigation
from cnnviz.ui.common.navigation import PAGES, PageSpec, home_steps
from tests.pages.conftest import ROOT, app_test


def test_home_shows_the_path_in_the_courses_order():
    at = app_test("app.py").run()
    assert not at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("**Step ")]
    assert steps[0].startswith("**Step 1 · :material/filter_alt: Filters")
    assert "Train" in steps[1]
    # The courses' climax, then your own classes on the same idea (Teachable Machine's).
    assert steps[-2].endswith("Transfer learning**")
    assert steps[-1].endswith("My classes**")
    titles = " ".join(steps)
    for page in ("Activation functions", "Activations", "Grad-CAM", "Pretrained"):
        assert page in titles
    assert len(at.get("image")) >= 4  # the app-made pictures


def test_steps_whose_file_is_missing_are_left_out(monkeypatch):
    missing = PageSpec("not_built_yet", "Not built yet", "A page still being written.")
    monkeypatch.setitem(PAGES._entries, missing.key, missing)
    assert missing not in home_steps()
    assert all(missing not in specs for specs in navigation.sections().values())
    at = app_test("pages/home.py").run()
    assert not at.exception
    shown = [m.value for m in at.markdown if m.value.startswith("**Step ")]
    assert len(shown) == len(home_steps()) >= 10
    assert not any("Not built yet" in s for s in shown)


def test_every_page_file_is_registered_and_every_entry_has_its_file():
    files = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert files == set(PAGES.keys())


def test_every_shown_step_has_its_picture():
    for step in home_steps():
        assert step.picture, f"the step {step.title} has no picture"
        assert (ROOT / "assets" / "home" / f"{step.picture}.png").is_file(), step.picture
        assert step.help.endswith("."), f"{step.title}: its sentence should be a sentence"


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
    for step in home_steps():
        assert f'_save("{step.picture}"' in script, f"{step.title}: no code makes its picture"


def test_page_specs_are_frozen_entries():
    spec = PAGES.get("filters")
    assert spec.path == "pages/filters.py" and spec.url == "filters" and not spec.needs_core
    assert PAGES.get("home").url == ""
    assert dataclasses.is_dataclass(spec)
