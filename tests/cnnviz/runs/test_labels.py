"""Short labels of compared runs: "#n" and what differs, distinct, short."""

import copy

import pytest

from cnnviz import runs
from cnnviz.training import Augmentation
from tests.cnnviz.runs.test_runs import meta

FIRST = "#1 MNIST CNN on digits (lr 0.002 · batch 32 · 10 epochs)"
RERUN = "#3 MNIST CNN on digits · with dropout (0.5), again from #1"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({}, {"dropout": 0.5}, ["#1 · no dropout", "#3 · dropout 0.5"]),
        ({}, {}, ["#1", "#3"]),  # nothing differs: the numbers tell them apart
        (
            {"learning_rate": 0.002},
            {"learning_rate": 0.01, "batch_size": 64},
            ["#1 · lr 0.002, batch 32", "#3 · lr 0.01, batch 64"],
        ),
        ({"architecture": "mlp"}, {}, ["#1 · mlp, net's dropout", "#3 · mnist_cnn, no dropout"]),
        (
            {},
            {"augmentation": Augmentation(shift=0.1)},
            ["#1 · no aug.", "#3 · aug. shift 0.1"],
        ),
        ({"early_stopping": 2}, {}, ["#1 · early stop patience 2", "#3 · no early stop"]),
    ],
)
def test_short_labels_name_the_number_and_what_differs(a, b, expected):
    assert runs.short_run_labels([meta(FIRST, **a), meta(RERUN, **b)]) == expected


def test_short_labels_stay_short_and_say_when_more_differs():
    a = meta(FIRST)
    b = meta(
        RERUN,
        dropout=0.5,
        learning_rate=0.01,
        batch_size=64,
        augmentation=Augmentation(rotation=0.05, shift=0.1, zoom=0.1),
        seed=3,
    )
    labels = runs.short_run_labels([a, b])
    assert all(len(label) <= runs.labels.MAX_LABEL for label in labels), labels
    assert labels[1].startswith("#3 · dropout 0.5") and labels[1].endswith(" …")
    assert runs.short_run_labels([a, b], max_chars=90)[1] == (
        "#3 · dropout 0.5, aug. rotation 0.05, shift 0.1, zoom 0.1, lr 0.01, batch 64, seed 3"
    )
    one = runs.short_run_labels([a, b], max_chars=12)[1]
    assert len(one) <= 12 and one.startswith("#3")


def test_runs_without_a_number_or_sharing_one_stay_distinct():
    upload = {"id": "u1", "name": "my own network from the course notebook", "history": {}}
    twin = meta("#1 again", dropout=None)  # a second "#1" (an old workspace had them)
    tags = runs.run_tags([meta(FIRST), twin, upload])
    assert tags == ["#1", "#1 (2)", "my own network…"]
    labels = runs.short_run_labels([meta(FIRST), twin, upload])
    assert len(set(labels)) == 3
    # The upload's settings are unknown ("—"): only the others name theirs.
    assert labels[0].startswith("#1 · digits") and labels[1].startswith("#1 (2) · digits")
    assert labels[2] == "my own network… · uploaded"
    assert runs.short_run_labels([meta(FIRST)]) == ["#1"]
    assert runs.short_run_labels([]) == []


def test_labels_do_not_change_the_metadata():
    metas = [meta(FIRST), meta(RERUN, dropout=0.5)]
    before = copy.deepcopy(metas)
    runs.short_run_labels(metas)
    runs.run_tags(metas)
    assert metas == before


def test_settings_diff_takes_the_short_tags_as_columns():
    metas = [meta(FIRST), meta(RERUN, dropout=0.5)]
    rows = runs.settings_diff(metas, labels=runs.run_tags(metas))
    assert rows == [{"setting": "Dropout", "#1": "none", "#3": "0.5"}]
    with pytest.raises(ValueError, match="one distinct label per run"):
        runs.settings_diff(metas, labels=["#1", "#1"])
