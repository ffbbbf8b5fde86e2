"""Activation functions: their curves, their slopes, and why saturating ones stall learning."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from cnnviz import activation_functions as af

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

fig = make_subplots(rows=1, cols=2, subplot_titles=("f(x)", "slope f′(x)"))
palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
for name in chosen:
    x, f, d = af.curves(name, slope=slope)
    colour = palette[names.index(name) % len(palette)]
    title = af.FUNCTIONS[name].title
    fig.add_trace(go.Scatter(x=x, y=f, name=title, line={"color": colour}, legendgroup=name), 1, 1)
    fig.add_trace(
        go.Scatter(
            x=x, y=d, name=title, line={"color": colour}, legendgroup=name, showlegend=False
        ),
        1,
        2,
    )
fig.update_yaxes(range=[-1.5, 3], row=1, col=1)
fig.update_yaxes(range=[-0.1, 1.2], row=1, col=2)
fig.update_xaxes(title_text="x")
fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                  legend={"orientation": "h", "y": -0.2})  # fmt: skip
st.plotly_chart(fig, key="actf_curves")

st.dataframe(
    [
        {
            "function": af.FUNCTIONS[n].title,
            "formula": af.FUNCTIONS[n].formula,
            "slope at 0": float(af.curves(n, np.array([0.0]), slope)[2][0]),
            "slope at 5": float(af.curves(n, np.array([5.0]), slope)[2][0]),
            "slope at −5": float(af.curves(n, np.array([-5.0]), slope)[2][0]),
        }
        for n in chosen
    ],
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
rows = []
for name in chosen:
    kept = af.gradient_through_layers(name, x0, layers, slope)
    rows.append({"function": af.FUNCTIONS[name].title, "share of the gradient left": kept})
depth = np.arange(1, layers + 1)
bars = go.Figure()
for name in chosen:
    d = float(af.curves(name, np.array([x0]), slope)[2][0])
    bars.add_trace(
        go.Scatter(x=depth, y=np.abs(d) ** depth, mode="lines+markers",
                   name=af.FUNCTIONS[name].title,
                   line={"color": palette[names.index(name) % len(palette)]})
    )  # fmt: skip
bars.update_layout(
    height=320,
    margin={"l": 10, "r": 10, "t": 10, "b": 10},
    yaxis={"type": "log", "title": "share of the gradient left", "exponentformat": "power"},
    xaxis={"title": "layers passed back through"},
)
st.plotly_chart(bars, key="actf_vanishing")
st.markdown(
    f"After **{layers} layers**, each at input {x0:g}, the share of the gradient left: "
    + " · ".join(f"**{r['function']}** {r['share of the gradient left']:.2g}" for r in rows)
)

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
