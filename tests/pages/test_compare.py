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


def _store_run(owner, name, epochs_done, created_ts):
    store = ModelStore()
    cfg = TrainingConfig(epochs=10)
    return store.save(
        _tiny(),
        {
            "name": name,
            "owner": owner,
            "created_ts": created_ts,
            "dataset": {"name": "digits", "options": {"upscale": 28}},
            "training": cfg.to_dict(),
            "history": {
                "loss": [1.0 - 0.05 * i for i in range(epochs_done)],
                "accuracy": [0.5 + 0.04 * i for i in range(epochs_done)],
            },
            "test_metrics": {"loss": 0.5, "accuracy": 0.8},
        },
    )


def test_a_new_run_joins_the_comparison_and_same_again_starts_from_the_picked_run():
    """Issue 16, item 1: train, Stop in epoch 8, train again to the end."""
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    stopped = _store_run(owner, "#1 MNIST CNN on digits (lr 0.002 · batch 32 · 10 epochs)", 8, 1.0)
    at.run()
    assert at.multiselect(key="train_compare_ids").value == [stopped]
    full = _store_run(owner, "#2 MNIST CNN on digits (lr 0.002 · batch 32 · 10 epochs)", 10, 2.0)
    at.run()
    assert not at.exception
    # Every stored run is listed, newest first, and the new one joins the comparison.
    options = at.multiselect(key="train_compare_ids").options
    assert [o[:3] for o in options] == ["#2 ", "#1 "]
    assert at.multiselect(key="train_compare_ids").value[0] == full
    assert stopped in at.multiselect(key="train_compare_ids").value
    # "Same again" starts from the run the student picked (the newest by default).
    assert at.selectbox(key="train_again_from").value == full
    at.selectbox(key="train_again_from").set_value(stopped).run()
    assert any(k.endswith(stopped) for k in _keys(at) if k.startswith("train_again_dropout"))
    at.selectbox(key="train_again_from").set_value(full).run()
    key = next(k for k in _keys(at) if k.startswith("train_again_dropout") and k.endswith(full))
    at.button(key=key).click().run()
    assert not at.exception and not at.error
    job = training.get_job(at.session_state["train_job_id"])
    # A new number in this workspace, and a well-formed name.
    assert job.name.startswith("#3 ")
    assert job.name.count("(") == job.name.count(")")
    job.stop()
