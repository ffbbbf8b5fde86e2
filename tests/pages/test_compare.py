"""AppTest of the Train page's "Compare runs" section."""

import json
import re

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
        ("#1 MNIST CNN on digits (lr 0.002 · batch 32 · 3 epochs)", None, [0.9, 1.0, 1.2]),
        ("#2 MNIST CNN on digits · with dropout (0.5), again from #1", 0.5, [0.9, 0.8, 0.7]),
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
    # Narrow tables, a column per run under its number (st.table: the numbers all show).
    diff, metrics = (t.value for t in at.table)
    assert list(diff.index) == ["Dropout"] and _shown(diff.columns) == ["#2", "#1"]
    assert list(metrics.index) == ["test accuracy", "test loss", "overfitting gap"]
    assert list(metrics["\\#1"]) == ["80.0%", "0.500", "+0.900"]
    at.toggle(key="train_compare_gap").set_value(True).run()
    assert not at.exception
    # Newest first: the dropout run is the base of "same again" and offers it off.
    assert at.button(key=next(k for k in _keys(at) if k.startswith("train_again_dropout_off")))


def _shown(texts) -> list[str]:
    """Table headers as the browser shows them (``st.table`` renders Markdown, so user text
    reaches it escaped)."""
    return [re.sub(r"\\(.)", r"\1", str(t)) for t in texts]


def _compare_figure(at) -> dict:
    (chart,) = [c for c in at.get("plotly_chart") if "train_compare_plot" in c.proto.id]
    return json.loads(chart.proto.spec)


def test_compare_legend_has_one_short_entry_per_run():
    """Issue 16, item 5: the legend listed each run 4 times under its ~70-character name."""
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    ids = _store_runs(owner)
    at.run()
    assert not at.exception
    for gap in (False, True):
        at.toggle(key="train_compare_gap").set_value(gap).run()
        fig = _compare_figure(at)
        traces = fig["data"]
        assert len(traces) == (10 if gap else 8)
        shown = [t for t in traces if t.get("showlegend", True)]
        assert [t["name"] for t in shown] == ["#2 · dropout 0.5", "#1 · no dropout"]
        # Each run: one colour, one legend group, shown once; training solid, validation dashed.
        for run in ids:
            own = [t for t in traces if t["meta"]["run"] == run]
            assert len({t["legendgroup"] for t in own}) == 1
            assert len({t["line"]["color"] for t in own}) == 1
            assert sum(t.get("showlegend", True) for t in own) == 1
        legend = fig["layout"]["legend"]
        assert "training solid, validation dashed" in legend["title"]["text"]
        assert legend["orientation"] == "h" and legend["yanchor"] == "bottom"
        assert legend["y"] >= 1  # above the panels, away from the axis titles


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


def test_four_runs_stack_the_tables_and_keep_one_legend_entry_each():
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    ids = _store_runs(owner) + _store_runs(owner)  # the same names twice: tags stay distinct
    at.run()
    at.multiselect(key="train_compare_ids").set_value(list(reversed(ids))).run()
    assert not at.exception
    diff, metrics = (t.value for t in at.table)
    assert _shown(diff.columns) == _shown(metrics.columns)
    assert len(set(_shown(metrics.columns))) == 4
    shown = [t["name"] for t in _compare_figure(at)["data"] if t.get("showlegend", True)]
    assert len(shown) == 4 and len(set(shown)) == 4, shown
