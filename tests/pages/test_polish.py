"""Small things a class notices: confusion matrix size, digit axes, headings, new data."""

import numpy as np
import pytest

from cnnviz.ui.common import training_plots
from tests.pages import inspect_helpers
from tests.pages.inspect_helpers import run_page

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below


@pytest.mark.parametrize("k", [2, 3, 10])
def test_confusion_matrix_rows_are_tall_and_axes_not_inflated(k):
    fig = training_plots.confusion_figure(np.eye(k, dtype=int) * 5, [str(i) for i in range(k)])
    layout = fig.layout
    assert list(layout.xaxis.range) == [-0.5, k - 0.5]
    assert list(layout.yaxis.range) == [k - 0.5, -0.5]  # true classes top to bottom
    rows_px = (layout.height - layout.margin.t - layout.margin.b - 60) / k
    assert rows_px >= 40
    assert fig.data[0].textfont.size >= 12
    # The click markers stay inside their cells.
    assert fig.data[1].marker.size <= (layout.height - 100) / k


def test_digit_class_names_are_categories_on_the_distribution_axis():
    counts = {"train": {str(d): 10 for d in range(10)}}
    fig = training_plots.class_distribution_figure(counts)
    assert fig.layout.xaxis.type == "category"


def _bold(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**")]


def test_gradcam_own_image_has_one_image_heading(stored_model):
    at = run_page("pages/gradcam.py")
    at.radio(key="cam_image_source").set_value("Sample, upload or camera").run()
    assert not at.exception
    assert _bold(at).count("**Image**") == 1


def test_activations_compared_panels_have_their_own_titles(stored_model):
    at = run_page("pages/activations.py")
    at.toggle(key="act_compare").set_value(True).run()
    at.radio(key="act_image_source").set_value("Sample, upload or camera").run()
    at.radio(key="act_image2_source").set_value("Sample, upload or camera").run()
    assert not at.exception
    assert {"**First image**", "**Second image**"} <= set(_bold(at))
