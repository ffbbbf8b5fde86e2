"""Activation functions: their curves, their slopes, and why saturating ones stall learning."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import activation_functions as af
from cnnviz.ui.activation_functions import code_section, curves_figure, vanishing_figure

st.title("Activation functions")
st.caption(
    "After every convolution or dense layer, each value goes through an **activation "
    "function**. Without one, a stack of layers would be one big linear map. The function's "
    "**slope** (its derivative) decides how much of the error signal gets back to earlier "
    "layers while training."
)

names = list(af.FUNCTIONS)
c1, c2 = st.columns([3, 1])
chosen = c1.multiselect(
    "Functions",
    names,
    default=["sigmoid", "tanh", "relu", "leaky_relu"],
    format_func=lambda n: af.FUNCTIONS[n].title,
    key="actf_chosen",
)
slope = c2.slider(
    "Leaky ReLU / PReLU slope a",
    0.0,
    0.5,
    0.1,
    step=0.01,
    key="actf_slope",
    help="The slope for negative inputs. PReLU learns it while training (one per channel); "
    "0.25 is its usual start.",
)
if not chosen:
    st.info("Pick at least one function to draw.")
    st.stop()

st.plotly_chart(curves_figure(chosen, slope), key="actf_curves")

st.dataframe(
    af.slope_rows(chosen, slope),
    hide_index=True,
    column_config={
        k: st.column_config.NumberColumn(k, format="%.4f")
        for k in ("slope at 0", "slope at 5", "slope at −5")
    },
)

st.subheader("Vanishing gradients")
st.caption(
    "Training sends the error back through every layer, multiplying it by each layer's slope. "
    "Sigmoid and tanh are flat far from 0: their slope is nearly 0 there, and even at best "
    "the sigmoid's is 0.25. Through many layers the signal shrinks to almost nothing, so the "
    "first layers stop learning. ReLU's slope is 1 for every positive input."
)
c1, c2 = st.columns(2)
layers = c1.slider("Layers", 1, 30, 10, key="actf_layers")
x0 = c2.slider(
    "Input to every layer",
    -5.0,
    5.0,
    1.0,
    step=0.5,
    key="actf_x0",
    help="ReLU-like functions have slope 0 for negative inputs (that neuron is off).",
)
st.plotly_chart(vanishing_figure(chosen, x0, layers, slope), key="actf_vanishing")
kept = {n: af.gradient_through_layers(n, x0, layers, slope) for n in chosen}
st.markdown(
    f"After **{layers} layers**, each at input {x0:g}, the share of the gradient left: "
    + " · ".join(f"**{af.FUNCTIONS[n].title}** {share:.2g}" for n, share in kept.items())
)
code_section(chosen, slope, layers, x0)

st.subheader("Try one in a network")
st.caption(
    "Train the same network once with each activation and compare the runs: sigmoid networks "
    "often learn much more slowly."
)
c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
use = c1.selectbox("Activation", names, format_func=lambda n: af.FUNCTIONS[n].title, key="actf_use")
if c2.button(
    "Use this activation everywhere on the Train page",
    key="actf_use_everywhere",
    icon=":material/model_training:",
):
    from cnnviz.ui.train.network import use_activation_everywhere  # loads Keras: only now

    use_activation_everywhere(af.FUNCTIONS[use].layer_name)
    st.switch_page("pages/train.py")
