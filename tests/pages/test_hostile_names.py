"""Hostile class names shown as text in every image caption, caption and Markdown block.

A class folder named ``**bold**`` or ``[link](javascript:…)`` must never reach Streamlit's
Markdown unescaped: not in the Train page's image grids (cell, Mistakes, Correct), nor in
the epoch snapshots, nor in Grad-CAM's captions (which a classmate sees on a shared model).
"""

import dataclasses
import re

import pytest

from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig, TrainingJob
from tests.pages.conftest import app_test
from tests.pages.inspect_helpers import OWNER, run_page, shapes_dataset

pytestmark = pytest.mark.usefixtures("stop_jobs")

# The markup unescaped: bold, a link's brackets (a backslash before each makes it text).
RAW = re.compile(r"(?<!\\)\*\*b|(?<!\\)\[l|(?<!\\)\]\(javascript")


def _hostile(i: int) -> str:
    return f"**b{i}** [l{i}](javascript:alert({i}))"


@pytest.fixture
def hostile_job():
    ds = shapes_dataset(n_train=120, n_test=24)
    ds = dataclasses.replace(ds, class_names=[_hostile(i) for i in range(ds.num_classes)])
    job = TrainingJob(ds, TrainingConfig(epochs=1), store=ModelStore(), owner=OWNER).start()
    assert job.wait(300) and job.status == "finished", job.error
    return job


def _shown_texts(at) -> list[str]:
    """Every text Streamlit renders as Markdown: image captions, captions, Markdown."""
    shown = [c for img in at.get("image") for c in img.captions]
    shown += [str(c.value) for c in at.caption] + [str(m.value) for m in at.markdown]
    return shown


def _assert_plain(shown: list[str]) -> None:
    assert any("javascript" in s for s in shown), "no class name shown at all"
    leaks = [s for s in shown if RAW.search(s)]
    assert not leaks, leaks


def test_train_results_show_hostile_class_names_as_text(hostile_job):
    at = app_test("pages/train.py")
    at.session_state["cnnviz_session_id"] = OWNER
    at.session_state["train_job_id"] = hostile_job.id
    at.run()
    assert not at.exception
    assert at.tabs  # Mistakes / Correct predictions were drawn
    _assert_plain(_shown_texts(at))


def test_gradcam_shows_hostile_class_names_as_text(hostile_job):
    at = run_page("pages/gradcam.py")
    assert not at.exception
    shown = _shown_texts(at)
    assert any("heatmap for" in s for s in shown)
    _assert_plain(shown)
