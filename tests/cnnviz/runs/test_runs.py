import csv
import io
import math

import pytest

from cnnviz import runs
from cnnviz.errors import InputError
from cnnviz.training import Augmentation, TrainingConfig


def meta(name="run", history=None, **cfg):
    config = TrainingConfig(**cfg)
    return {
        "id": name,
        "name": name,
        "dataset": {"name": "digits", "options": {}},
        "architecture": config.architecture,
        "training": config.to_dict(),
        "history": history if history is not None else {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]},
        "test_metrics": {"loss": 0.4, "accuracy": 0.9},
    }


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({}, {}, {}),
        ({}, {"dropout": 0.5}, {"Dropout": ("none", "0.5")}),
        ({"dropout": 0.0}, {"dropout": None}, {}),  # mnist_cnn has no dropout layers of its own
        (
            {"architecture": "mlp"},
            {},
            {"Architecture": ("mlp", "mnist_cnn"), "Dropout": ("architecture's", "none")},
        ),
        ({}, {"augmentation": Augmentation(shift=0.1)}, {"Augmentation": ("none", "shift 0.1")}),
        (
            {"optimizer": "sgd", "learning_rate": 0.01},
            {},
            {"Optimiser": ("sgd", "adam"), "Learning rate": ("0.01", "0.001")},
        ),
        ({"epochs": 3}, {"epochs": 7, "seed": 2}, {"Epochs": ("3", "7"), "Seed": ("0", "2")}),
        ({"early_stopping": 2}, {}, {"Early stopping": ("patience 2", "off")}),
        ({"batch_size": 64}, {"batch_size": 64}, {}),
    ],
)
def test_settings_diff_table(a, b, expected):
    rows = runs.settings_diff([meta("A", **a), meta("B", **b)])
    got = {r["setting"]: (r["A"], r["B"]) for r in rows}
    assert got == expected


def test_settings_diff_of_uploaded_model_and_duplicate_names():
    uploaded = {"id": "u", "name": "A", "architecture": "functional", "history": {}}
    rows = runs.settings_diff([meta("A"), uploaded])
    by = {r["setting"]: r for r in rows}
    assert by["Architecture"]["A #1"] == "mnist_cnn"
    assert by["Architecture"]["A #2"] == "functional"
    assert by["Optimiser"]["A #2"] == "—"


def test_history_table_and_gap():
    m = meta(history={"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [1.2, 0.9]})
    table = runs.history_table(m)
    assert table["epoch"] == [1.0, 2.0]
    assert table["gap"] == pytest.approx([0.2, 0.4])
    assert all(math.isnan(v) for v in table["val_accuracy"])
    assert runs.history_table({"history": {}})["epoch"] == []


def test_history_csv_round_trip():
    m = meta(
        history={
            "loss": [1.0, 0.5],
            "accuracy": [0.5, 0.8],
            "val_loss": [1.25, 0.75],
            "val_accuracy": [0.4, 0.7],
        }
    )
    rows = list(csv.DictReader(io.StringIO(runs.history_csv(m))))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert float(rows[1]["val_loss"]) == 0.75
    assert float(rows[0]["gap"]) == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("cfg", "change", "check"),
    [
        ({}, "dropout_on", lambda c: c.dropout == runs.SAME_AGAIN_DROPOUT),
        ({"dropout": 0.3}, "dropout_off", lambda c: c.dropout == 0.0),
        ({}, "augmentation_on", lambda c: c.augmentation.active),
        (
            {"augmentation": Augmentation(shift=0.1)},
            "augmentation_off",
            lambda c: not c.augmentation.active,
        ),
        ({"epochs": 4}, "mlp", lambda c: c.architecture == "mlp" and c.epochs == 4),
        ({"architecture": "mlp"}, "cnn", lambda c: c.architecture == "mnist_cnn"),
    ],
)
def test_same_again_changes_one_setting(cfg, change, check):
    m = meta(**cfg, learning_rate=0.002)
    new = runs.same_again(m, change)
    assert check(new)
    assert new.learning_rate == 0.002
    assert change in runs.available_changes(m)


def test_same_again_refuses_unknown_and_uploads():
    with pytest.raises(InputError):
        runs.same_again(meta(), "bigger")
    with pytest.raises(InputError):
        runs.same_again({"history": {}}, "mlp")
    assert runs.available_changes({"history": {}}) == []


def test_comparison_figure_holds_exactly_the_stored_histories():
    from cnnviz.ui.train.compare import comparison_figure

    a = meta(
        "A",
        history={
            "loss": [1.0, 0.6, 0.4],
            "accuracy": [0.5, 0.7, 0.8],
            "val_loss": [1.1, 0.9, 1.0],
            "val_accuracy": [0.4, 0.6, 0.65],
        },
    )
    b = meta(
        "B",
        history={
            "loss": [0.9, 0.7],
            "accuracy": [0.55, 0.75],
            "val_loss": [0.95, 0.8],
            "val_accuracy": [0.5, 0.7],
        },
    )
    fig = comparison_figure([a, b], show_gap=True)
    got = {(t.meta["run"], t.meta["series"]): list(t.y) for t in fig.data}
    expected = {}
    for m in (a, b):
        for key, values in m["history"].items():
            expected[(m["id"], key)] = values
        expected[(m["id"], "gap")] = [
            v - t for v, t in zip(m["history"]["val_loss"], m["history"]["loss"], strict=True)
        ]
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v)
    colors = {t.meta["run"]: set() for t in fig.data}
    for t in fig.data:
        colors[t.meta["run"]].add(t.line.color)
        assert t.line.dash == ("dash" if t.meta["series"].startswith("val_") else "solid")
    assert all(len(c) == 1 for c in colors.values())
    assert colors["A"] != colors["B"]


def test_gabor_start_frozen_or_trainable():
    import numpy as np

    from cnnviz.training import build_model, gabor_bank

    bank = gabor_bank(3, 1, 32)
    assert bank.shape == (3, 3, 1, 32)
    np.testing.assert_allclose(bank.mean(axis=(0, 1, 2)), 0, atol=1e-6)
    for first, trainable in (("gabor", True), ("gabor_frozen", False)):
        model = build_model(TrainingConfig(first_layer=first), (28, 28, 1), 10)
        conv = model.get_layer("conv1")
        np.testing.assert_allclose(conv.get_weights()[0], bank, atol=1e-6)
        assert conv.trainable is trainable
    random = build_model(TrainingConfig(), (28, 28, 1), 10).get_layer("conv1")
    assert not np.allclose(random.get_weights()[0], bank)
    with pytest.raises(InputError):
        build_model(TrainingConfig(architecture="mlp", first_layer="gabor"), (28, 28, 1), 10)
    with pytest.raises(InputError):
        TrainingConfig(first_layer="sobel").validate()
    rows = runs.settings_diff([meta("A", first_layer="gabor_frozen"), meta("B")])
    assert rows == [{"setting": "First layer", "A": "gabor_frozen", "B": "random"}]


def test_run_numbers_are_unique_and_rerun_names_well_formed():
    metas = [{"name": "#1 MNIST CNN on digits (lr 0.002 · batch 32 · 10 epochs)"}, {"name": "x"}]
    assert runs.next_run_number(metas) == 2
    assert runs.next_run_number([{"name": "#7 a"}, {"name": "#2 b"}]) == 8  # after deletions
    assert runs.next_run_number([]) == 1
    long = {"name": "#1 " + "Very long network title " * 5 + "on digits (lr 0.002 · batch 32)"}
    for meta in (metas[0], long):
        for change in runs.CHANGES:
            name = runs.same_again_name(meta, change, number=3)
            assert name.startswith("#3 ") and len(name) <= 80
            assert name.count("(") == name.count(")"), name
            assert "#1" in name  # says which run it reran
