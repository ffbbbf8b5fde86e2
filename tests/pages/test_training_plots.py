import numpy as np
import pytest

from cnnviz.training import BatchEnd, EpochEnd, Finished, JobStarted
from cnnviz.ui.common import training_plots as tp

EVENTS = [
    JobStarted("CPU (2 cores)", False, 100, 2, 4, 8, 32, 8),
    BatchEnd(1, 2, 4, 1.0, 0.5, 100.0, 3.0),
    BatchEnd(1, 4, 4, 0.8, 0.6, 120.0, 2.0),
    EpochEnd(1, 0.8, 0.6, 0.9, 0.55, 1.0, 110.0, 1.0),
    BatchEnd(2, 2, 4, 0.5, 0.8, 130.0, 0.5),
    EpochEnd(2, 0.4, 0.85, 0.7, 0.7, 1.0, 125.0, 0.0),
    Finished("done"),
]


@pytest.mark.parametrize(
    ("values", "weight", "expected"),
    [
        ([1.0, 2.0, 3.0], 0.0, [1.0, 2.0, 3.0]),
        ([2.0, 2.0, 2.0], 0.9, [2.0, 2.0, 2.0]),  # bias correction: a constant stays put
        ([0.0, 10.0], 0.5, [0.0, 10.0 * 0.5 / 0.75]),
        ([1.0, np.nan, 1.0], 0.5, [1.0, np.nan, 1.0]),
    ],
)
def test_smooth(values, weight, expected):
    np.testing.assert_allclose(tp.smooth(values, weight), expected)


def test_curve_data_places_batches_within_epochs():
    d = tp.curve_data(EVENTS)
    np.testing.assert_allclose(d["batch_x"], [0.5, 1.0, 1.5])
    np.testing.assert_allclose(d["epoch"], [1, 2])
    np.testing.assert_allclose(d["val_accuracy"], [0.55, 0.7])


def test_curves_figure_has_training_and_validation_in_both_panels():
    fig = tp.curves_figure(EVENTS, smoothing=0.5, epochs=2)
    names = [t.name for t in fig.data]
    assert names.count("validation") == 2 and names.count("training") == 2
    assert list(fig.layout.xaxis.range) == [0, 2]
    val_loss = next(t for t in fig.data if t.name == "validation")
    np.testing.assert_allclose(val_loss.y, [0.9, 0.7])


def test_curves_without_validation_and_without_events():
    no_val = [EpochEnd(1, 0.8, 0.6, None, None, 1.0, 110.0, 0.0)]
    assert "validation" not in [t.name for t in tp.curves_figure(no_val).data]
    assert len(tp.curves_figure([]).data) == 4  # empty training lines, ready to grow


def test_throughput_figure_skips_unmeasured_batches():
    events = [BatchEnd(1, 1, 4, 1.0, 0.5, 0.0, None), *EVENTS[1:3]]
    fig = tp.throughput_figure(events)
    np.testing.assert_allclose(fig.data[0].y, [100.0, 120.0])


def test_confusion_figure_cells_carry_their_indices():
    m = np.array([[3, 1], [0, 4]])
    fig = tp.confusion_figure(m, ["cat", "dog"], normalize=True)
    heat, clicks = fig.data
    np.testing.assert_allclose(heat.z, [[0.75, 0.25], [0.0, 1.0]])
    np.testing.assert_array_equal(clicks.customdata, [[0, 0, 3], [0, 1, 1], [1, 0, 0], [1, 1, 4]])
    assert list(clicks.x) == ["cat", "dog", "cat", "dog"]
    assert list(clicks.y) == ["cat", "cat", "dog", "dog"]


def test_confusion_figure_with_empty_row_has_no_nan():
    fig = tp.confusion_figure(np.array([[0, 0], [1, 1]]), ["a", "b"], normalize=True)
    assert np.isfinite(np.asarray(fig.data[0].z, dtype=float)).all()


def test_class_distribution_figure():
    fig = tp.class_distribution_figure({"train": {"a": 3, "b": 5}, "test": {"a": 1, "b": 2}})
    assert [t.name for t in fig.data] == ["train", "test"]
    assert list(fig.data[0].y) == [3, 5]


def test_long_jobs_are_thinned_for_drawing():
    events = [BatchEnd(1, i, 10_000, 1.0, 0.5, 1.0, None) for i in range(1, 10_001)]
    d = tp.curve_data(events, max_batch_points=100)
    assert len(d["batch_x"]) == 100
    assert d["batch_x"][-1] == 1.0  # the latest point is kept


def test_class_distribution_as_pies_one_per_split():
    counts = {"train": {"daisy": 3, "rose": 5}, "test": {"daisy": 1, "rose": 2}}
    fig = tp.class_distribution_figure(counts, kind="pie")
    assert [t.type for t in fig.data] == ["pie", "pie"]
    assert [t.title.text for t in fig.data] == ["train", "test"]
    assert list(fig.data[0].labels) == ["daisy", "rose"] and list(fig.data[0].values) == [3, 5]
    assert fig.data[0].domain.x[1] <= fig.data[1].domain.x[0]  # side by side
    with pytest.raises(ValueError, match=r"bar.*pie"):
        tp.class_distribution_figure(counts, kind="donut")
