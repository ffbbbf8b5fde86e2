"""Neurons playground page: it loads, trains on Play/Step, keeps its settings in the address,
refuses a bad link with a message, and shows the linear regression's data and weights."""

import importlib
import re

import numpy as np
import pytest

from cnnviz.feedforward import PlaygroundConfig
from tests.pages.conftest import app_test

PAGE = "pages/neurons.py"


@pytest.fixture(autouse=True)
def _no_boston_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr("cnnviz.feedforward.regression.FALLBACK_HOME", tmp_path / "none")


def _epoch(at):
    return at.session_state["ff_run"].epoch


def test_page_loads_with_the_default_spiral_and_says_what_it_learns():
    at = app_test(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Neurons playground"
    claims = at.info[0].value
    assert "on XOR" in claims and "on the spiral" in claims and "A line" in claims
    xor, spiral, line = (float(v) for v in re.findall(r"\*\*([\d.]+)%\*\*", claims))
    assert xor >= 95 and spiral >= 95 and line < 75, claims  # the measured figures
    assert at.radio(key="ff_set").value == "spiral"
    assert len(at.get("image")) >= 2  # the network's neurons and the boundary
    assert any("Epoch 0" in m.value for m in at.markdown)
    assert at.query_params["set"] == "spiral" and at.query_params["hidden"] == "8,8"
    assert "?set=spiral" in at.code[0].value


def test_play_trains_live_and_step_and_reset_work():
    at = app_test(PAGE).run()
    at.button(key="ff_play").click().run()
    assert at.session_state["ff_playing"] is True
    at.run()  # each run of the playing fragment trains a few more epochs
    assert _epoch(at) > 0
    assert any("**test accuracy" in m.value for m in at.markdown)
    at.button(key="ff_play").click().run()  # pause
    paused = _epoch(at)
    at.run()
    assert _epoch(at) == paused and at.session_state["ff_playing"] is False
    at.button(key="ff_step").click().run()
    assert _epoch(at) == paused + 1
    at.button(key="ff_reset").click().run()
    assert _epoch(at) == 0
    assert not at.exception


def test_a_line_instead_of_a_net_keeps_only_x_and_y():
    at = app_test(PAGE).run()
    at.button(key="ff_line").click().run()
    assert not at.exception
    assert at.number_input(key="ff_layers").value == 0
    assert at.checkbox(key="ff_feature_x").value and at.checkbox(key="ff_feature_y").value
    assert not at.checkbox(key="ff_feature_sinx").value
    assert at.query_params["hidden"] == "" and at.query_params["features"] == "x,y"
    assert at.session_state["ff_run"].network.parameter_count == 3


def test_the_address_sets_every_setting_and_the_widgets_write_it_back():
    config = PlaygroundConfig(
        dataset="xor", noise=10, train_percent=70, features=("x", "y", "xy"), hidden=(3, 2),
        activation="relu", learning_rate=0.01, l2=0.001, batch_size=20, seed=7,
    )  # fmt: skip
    at = app_test(PAGE)
    at.query_params.update(config.to_params())
    at.run()
    assert not at.exception
    assert at.radio(key="ff_set").value == "xor"
    assert at.slider(key="ff_noise").value == 10 and at.slider(key="ff_train").value == 70
    assert at.number_input(key="ff_layers").value == 2
    assert at.selectbox(key="ff_neurons_0").value == 3
    assert at.selectbox(key="ff_neurons_1").value == 2
    assert at.selectbox(key="ff_activation").value == "relu"
    assert at.selectbox(key="ff_lr").value == 0.01 and at.selectbox(key="ff_batch").value == 20
    assert at.checkbox(key="ff_feature_xy").value and not at.checkbox(key="ff_feature_sinx").value
    assert at.session_state["ff_run"].config == config
    assert dict(at.query_params) == config.to_params()
    # A change on the page goes into the address.
    at.radio(key="ff_set").set_value("circle").run()
    assert at.query_params["set"] == "circle" and at.query_params["seed"] == "7"
    at.number_input(key="ff_layers").set_value(3).run()
    assert at.query_params["hidden"] == "3,2,4"
    assert not at.exception


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": "fast"}, "'lr' should be a number, not 'fast'"),
        ({"set": "moons"}, "Unknown point set 'moons'"),
        ({"hidden": "8,100"}, "1 to 8 neurons"),
    ],
)
def test_a_bad_link_gives_a_message_and_the_defaults(params, message):
    at = app_test(PAGE)
    at.query_params.update(params)
    at.run()
    assert not at.exception
    assert message in at.error[0].value
    assert at.session_state["ff_run"].config == PlaygroundConfig()
    assert at.query_params["set"] == "spiral"  # the address now holds what is shown


def test_no_feature_gives_a_warning_not_an_error():
    at = app_test(PAGE).run()
    for key in ("x", "y", "sinx", "siny"):
        at.checkbox(key=f"ff_feature_{key}").uncheck()
    at.run()
    assert not at.exception
    assert "at least one input feature" in at.warning[0].value
    assert at.button(key="ff_play").disabled


def test_regression_offline_says_which_data_and_how_many_parameters():
    at = app_test(PAGE).run()
    text = " ".join(m.value for m in at.markdown)
    assert "Diabetes" in text and "**10 features**" in text and "**11 parameters**" in text
    assert any("Boston housing" in i.value and "14" in i.value for i in at.info)
    assert len(at.dataframe) == 2  # the data, and the errors beside the baseline


def test_regression_uses_keras_boston_file_when_it_is_there(tmp_path, monkeypatch):
    home = tmp_path / "keras-home"
    (home / "datasets").mkdir(parents=True)
    rng = np.random.default_rng(0)
    x = np.abs(rng.normal(size=(506, 13))) * 10
    np.savez(home / "datasets" / "boston_housing.npz", x=x, y=x @ rng.normal(size=13) + 22)
    at = app_test(PAGE).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Boston housing" in text and "**13 features**" in text and "**14 parameters**" in text
    assert not any("offline table" in i.value for i in at.info)


def test_the_code_of_the_run_is_shown_with_its_settings():
    at = app_test(PAGE).run()
    at.button(key="ff_step").click().run()
    assert not at.exception
    at.toggle(key="ff_code_show").set_value(True).run()
    script = next(c.value for c in at.code if "model.summary()" in c.value)
    assert "epochs=1," in script and 'layers.Dense(8, activation="tanh"' in script
    assert "cnnviz" not in script


def test_a_link_with_values_off_the_menus_keeps_them():
    # A teacher's link with lr=0.05 once showed (and trained at) 0.0001, the menu's first.
    at = app_test(PAGE)
    at.query_params.update({"lr": "0.05", "batch": "7", "l2": "0.2", "noise": "7"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="ff_lr").value == 0.05
    assert at.selectbox(key="ff_batch").value == 7 and at.selectbox(key="ff_l2").value == 0.2
    config = at.session_state["ff_run"].config
    assert (config.learning_rate, config.batch_size, config.l2, config.noise) == (0.05, 7, 0.2, 7)
    assert at.query_params["lr"] == "0.05"


def test_a_run_pauses_itself_at_the_epoch_limit(monkeypatch):
    live = importlib.import_module("cnnviz.ui.feedforward.live")  # the module, not the function
    monkeypatch.setattr(live, "MAX_EPOCHS", 2)
    at = app_test(PAGE).run()
    at.button(key="ff_play").click().run()
    for _ in range(3):
        at.run()
    assert not at.exception
    assert at.session_state["ff_playing"] is False and _epoch(at) == 2
    assert any("Paused at 2 epochs" in c.value for c in at.caption)


def test_the_regressions_code_is_shown():
    at = app_test(PAGE).run()
    assert "The code of this fit" in [e.label for e in at.expander]
    at.toggle(key="ff_reg_code_show").set_value(True).run()
    script = next(c.value for c in at.code if "keras.layers.Dense(" in c.value)
    assert "load_diabetes()" in script and "epochs=2000," in script
