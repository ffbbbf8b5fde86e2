"""Grad-CAM: heatmaps of where a model looked when it decided."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz.errors import InputError
from cnnviz.ui import gradcam as ui
from cnnviz.ui.common.image_source import image_source, test_set
from cnnviz.ui.common.model_picker import model_key, model_picker

st.title("Grad-CAM")
st.caption(
    "Which parts of the image made the model choose a class? Red = important for that "
    "class, blue = not used. Compare methods: they disagree where the model's reasons are "
    "unclear."
)

top = st.columns([1.2, 1, 1])
with top[0]:
    model = model_picker("gradcam")
if model is None:
    st.stop()
mkey = model_key(model)
with top[1]:
    picked = image_source("cam_image", model, label="Image")
if picked is None:
    st.info("Choose an image to explain.")
    st.stop()

probs = ui.class_probabilities(model, mkey, picked)
names = ui.class_names(model, len(probs))
with top[2]:
    class_index = ui.class_picker(mkey, picked, probs, names)

settings = ui.method_controls(model, mkey)
ui.heatmap_section(model, mkey, picked, class_index, names, settings)
ui.code_section(model, picked, class_index, settings)

if isinstance(model.info, dict) and model.info.get("id"):  # a stored model: epoch snapshots
    from cnnviz.ui.common.snapshots_viewer import snapshot_viewer_ui

    with st.expander("Scrub through training: how the kernels and maps formed"):
        snapshot_viewer_ui("cam", model.info["id"], model.class_names)

st.divider()
st.header("Can this heatmap be trusted?")
try:
    dataset = test_set(model)
except InputError:
    dataset = None
dataset_key = "" if dataset is None else f"{dataset.name}:{len(dataset.x_test)}"
pointing = ui.localisation_section(model, settings.method, settings.layer, dataset, dataset_key)
rho = ui.sanity_section(
    model, picked.image, picked.digest, settings.method, class_index, settings.layer,
    settings.colormap,
)  # fmt: skip
ui.verdict_section(settings.method, pointing, rho)
