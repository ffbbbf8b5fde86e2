"""Filter visualization: the image each filter likes most, found by gradient ascent."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import featureviz
from cnnviz.ui import featureviz as ui
from cnnviz.ui.common.model_picker import model_key, model_picker

st.title("Filter visualization")
st.caption(
    "Start from noise and change the image, step by step, so that one filter fires as "
    "strongly as it can (**gradient ascent**). The result shows what the filter looks for. "
    "The naive recipe finds high-frequency noise that also works; the quality recipe "
    "(Olah et al., Distill 2017) keeps images natural by drawing them in a Fourier basis "
    "and jittering them on every step."
)

top = st.columns([1.2, 1, 1])
with top[0]:
    model = model_picker("featureviz")
    st.caption(
        "Each picture is the input that makes ONE filter's average activation as large as "
        "possible. Early layers like colours and edges, deeper ones textures and parts. "
        "The same seed gives the same pictures."
    )
if model is None:
    st.stop()
mkey = model_key(model)
convs, infos = ui.conv_layers_or_stop(model)
big = int(model.model.count_params()) > featureviz.BIG_MODEL_PARAMS

with top[1]:
    layer, first, last, choice = ui.layer_and_recipe(model, mkey, convs, infos)
with top[2]:
    run = ui.run_settings(model, big)
settings = ui.settings(layer, first, last, choice, run, big)

if ui.gallery.generate(model, mkey, settings):
    ui.gallery.show(model, mkey, settings)
    ui.code_section(model, settings)
    ui.exemplars.section(model, mkey, settings)
