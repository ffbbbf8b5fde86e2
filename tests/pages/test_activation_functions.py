"""Activation functions page: curves and slopes, vanishing gradients, use one on Train."""

from tests.pages.conftest import app_test


def test_page_draws_curves_and_vanishing_gradients():
    at = app_test("pages/activation_functions.py").run()
    assert not at.exception
    assert at.title[0].value == "Activation functions"
    assert len(at.get("plotly_chart")) == 2
    assert "Vanishing gradients" in [h.value for h in at.subheader]
    # 10 sigmoid layers at input 1 keep σ′(1)¹⁰ = 0.1966¹⁰ ≈ 8.6e-08 of the gradient; ReLU 1.
    assert any("**Sigmoid** 8.6e-08" in m.value and "**ReLU** 1" in m.value for m in at.markdown)
    at.multiselect(key="actf_chosen").set_value(["gelu", "swish", "elu", "prelu"]).run()
    at.slider(key="actf_slope").set_value(0.25).run()
    assert not at.exception
    at.multiselect(key="actf_chosen").set_value([]).run()
    assert at.info


def test_use_everywhere_opens_train_with_the_activation_in_every_layer():
    at = app_test("app.py").run()
    at.switch_page("pages/activation_functions.py").run()
    at.selectbox(key="actf_use").set_value("tanh").run()
    at.button(key="actf_use_everywhere").click().run()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert at.toggle(key="train_custom").value is True
    frame = at.session_state["train_spec_base"]
    layers = frame[frame["type"].isin(["conv2d", "dense"])]
    assert set(layers["activation"]) == {"tanh"}


def test_use_everywhere_shows_the_activation_in_the_train_box():
    # The layers were sigmoid but "Activation for every layer" still said relu.
    at = app_test("app.py").run()
    at.switch_page("pages/activation_functions.py").run()
    at.selectbox(key="actf_use").set_value("sigmoid").run()
    at.button(key="actf_use_everywhere").click().run()
    assert not at.exception
    frame = at.session_state["train_spec_base"]
    assert set(frame[frame["type"].isin(["conv2d", "dense"])]["activation"]) == {"sigmoid"}
    assert at.selectbox(key="train_all_activation").value == "sigmoid"
    at.switch_page("pages/train.py").run()  # and it stays so on the next visit
    assert at.selectbox(key="train_all_activation").value == "sigmoid"


def test_linear_can_be_drawn_and_used():
    at = app_test("pages/activation_functions.py").run()
    assert "Linear (none)" in at.multiselect(key="actf_chosen").options
    at.multiselect(key="actf_chosen").set_value(["linear", "sigmoid"]).run()
    assert not at.exception
    assert any("**Linear (none)** 1" in m.value for m in at.markdown)
