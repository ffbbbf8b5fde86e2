"""Neurons playground: TensorFlow Playground's 2-D data and a small network trained live.

Below it, LearnOpenCV's first model: a linear regression.
"""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz.ui import feedforward as ff

st.title("Neurons playground")
st.caption(
    "Before convolutions: a **neuron** adds up its inputs, each times a weight, and bends the "
    "sum with an activation function. A few layers of them draw a **decision boundary** "
    "between two classes of points. Press **Play** and watch it bend into shape."
)
ff.prepare()
st.info(ff.claims_text(), icon=":material/science:")

ff.data_widgets()
ff.network_widgets()
config = ff.settings()
playing = ff.playing()
row = st.container(horizontal=True)
row.button("Pause" if playing else "Play", key="ff_play", on_click=ff.toggle_play,
           icon=":material/pause:" if playing else ":material/play_arrow:",
           type="primary", disabled=config is None)  # fmt: skip
row.button("Step", key="ff_step", on_click=ff.step, args=(config,),
           icon=":material/skip_next:", disabled=config is None,
           help="Train one epoch more.")  # fmt: skip
row.button("Reset", key="ff_reset", on_click=ff.reset, icon=":material/replay:",
           help="Back to epoch 0.")  # fmt: skip
row.button("Same, with a line instead of a net", key="ff_line",
           on_click=ff.linear_instead, args=(config,), disabled=config is None,
           icon=":material/horizontal_rule:",
           help="No hidden layer, x and y only: a single straight boundary.")  # fmt: skip
row.button("Default settings", key="ff_defaults", on_click=ff.defaults,
           icon=":material/restart_alt:")  # fmt: skip
if config is not None:
    ff.live(config)

if config is not None:
    st.markdown(
        "**A link to this setup** (the address bar holds it too): open it and the same "
        "points, network and settings appear, as in TensorFlow Playground."
    )
    st.code(ff.class_link(config), language=None)
    ff.code(config)

st.subheader("Linear regression: LearnOpenCV's first model")
st.caption(
    "One neuron with no activation is a linear regression: it predicts a number as a "
    "weighted sum of the features plus a bias. Its weights say what it learned."
)
ff.regression_section()
