"""AppTest of the Train page's "Compare runs" section."""

import keras
import pytest

from cnnviz import training
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig
from tests.pages.conftest import app_test

pytestmark = pytest.mark.usefixtures("stop_jobs")


def _tiny():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))


def _store_runs(owner):
    store = ModelStore()
    model = _tiny()
    ids = []
    for name, dropout, val in (
        ("no dropout", None, [0.9, 1.0, 1.2]),
        ("dropout", 0.5, [0.9, 0.8, 0.7]),
    ):
        cfg = TrainingConfig(epochs=3, dropout=dropout)
        ids.append(
            store.save(
                model,
                {
                    "name": name,
                    "owner": owner,
                    "dataset": {"name": "digits", "options": {"upscale": None}},
                    "training": cfg.to_dict(),
                    "history": {
                        "loss": [1.0, 0.6, 0.3],
                        "accuracy": [0.5, 0.8, 0.9],
                        "val_loss": val,
                        "val_accuracy": [0.5, 0.6, 0.7],
                    },
                    "test_metrics": {"loss": 0.5, "accuracy": 0.8},
                },
            )
        )
    return ids


def test_compare_runs_shows_plot_diff_and_csv():
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    _store_runs(owner)
    at.run()
    assert not at.exception
    assert len(at.multiselect(key="train_compare_ids").value) == 2
    diff = [d for d in at.dataframe if "setting" in d.value.columns]
    assert diff and list(diff[0].value["setting"]) == ["Dropout"]
    at.toggle(key="train_compare_gap").set_value(True).run()
    assert not at.exception
    # Newest first: the dropout run is the base of "same again" and offers it off.
    assert at.button(key=next(k for k in _keys(at) if k.startswith("train_again_dropout_off")))


def _keys(at):
    return [b.key for b in at.button if b.key]


def test_same_again_starts_a_run_with_one_change():
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    _store_runs(owner)
    at.run()
    key = next(k for k in _keys(at) if k.startswith("train_again_mlp"))
    at.button(key=key).click().run()
    assert not at.exception
    assert not at.error
    job = training.get_job(at.session_state["train_job_id"])
    assert job.config.architecture == "mlp"
    assert job.config.dropout == 0.5  # everything else as the base run
    assert job.dataset.name == "digits"
    job.stop()
