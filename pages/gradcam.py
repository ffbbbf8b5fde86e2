"""Grad-CAM: heatmaps of where a model looked when it decided."""

import cv2
import numpy as np
import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import attribution, modelutils
from cnnviz.errors import InputError
from cnnviz.ui.busy import PREDICTING, busy_sign
from cnnviz.ui.gradcam_panel import coarse_map_notice, localisation_section, sanity_section
from cnnviz.ui.image_source import image_source, test_set
from cnnviz.ui.inspect import draw_box, enlarge, heatmap, probabilities, top_k_figure
from cnnviz.ui.model_picker import model_key, model_picker
from cnnviz.ui.text import plain

DISPLAY_SIDE = 288
METHOD_HELP = {
    "gradcam": "weights each feature map of a layer by how much the class score grows with "
    "it (mean gradient), adds them up and keeps the positive part. Coarse but "
    "class-specific.",
    "gradcam++": "like Grad-CAM, but weights only positive gradients, pixel by pixel; "
    "often covers all of an object when it appears more than once.",
    "saliency": "how much each pixel changes the class score (|gradient|). Sharp but noisy.",
    "smoothgrad": "saliency averaged over noisy copies of the image: less noise.",
    "occlusion": "slides a grey patch over the image and records how much the class "
    "probability drops. No gradients: a cross-check that works for any model. Slowest.",
}

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

try:
    with busy_sign(PREDICTING):
        probs = probabilities(mkey, picked.digest, model, picked.image)
except InputError as err:
    st.error(plain(err), icon=":material/block:")
    st.stop()
names = list(model.class_names)
if len(names) < len(probs):
    names += [f"class {i}" for i in range(len(names), len(probs))]
ranked = [int(i) for i in np.argsort(probs)[::-1]]

with top[2]:
    class_index = st.selectbox(
        "Class to explain",
        ranked,
        index=0,
        format_func=lambda i: (
            f"{names[i]} ({100 * probs[i]:.1f}%)" + ("  · top-1" if i == ranked[0] else "")
        ),
        key=f"cam_class_{mkey}_{picked.digest}",
        help="Defaults to the model's top-1 guess; any class can be explained.",
    )
    st.plotly_chart(
        top_k_figure(probs, names, highlight=class_index),
        width="stretch",
        key="cam_topk",
    )
    if picked.true_label is not None:
        verdict = "right" if picked.true_index == ranked[0] else "wrong"
        st.caption(f"True class: **{plain(picked.true_label)}** · the top-1 guess is {verdict}.")

controls = st.columns([1, 1.2, 1, 1])
with controls[0]:
    method = st.selectbox(
        "Method",
        list(attribution.METHODS),
        format_func=lambda k: attribution.METHODS[k].label,
        key="cam_method",
    )
uses_layer = attribution.METHODS[method].uses_layer
layer = None
with controls[1]:
    if uses_layer:
        try:
            spatial = modelutils.spatial_layers(model)
            default_layer = modelutils.default_cam_layer(model)
        except InputError as err:
            st.error(plain(err), icon=":material/block:")
            st.stop()
        layer = st.selectbox(
            "Layer",
            spatial,
            index=spatial.index(default_layer) if default_layer in spatial else len(spatial) - 1,
            format_func=lambda n: n + ("  · default" if n == default_layer else ""),
            key=f"cam_layer_{mkey}",
            help="Default: the last layer whose maps are larger than 1×1. Earlier layers give "
            "finer but less class-specific maps.",
        )
    else:
        st.caption("This method works on the input pixels; it uses no layer.")
with controls[2]:
    alpha = st.slider("Heatmap opacity", 0.0, 1.0, 0.45, 0.05, key="cam_alpha")
with controls[3]:
    colormap = st.selectbox("Colour map", list(attribution.COLORMAPS), key="cam_cmap")
st.caption(f"**{attribution.METHODS[method].label}** {METHOD_HELP.get(method, '')}")
if uses_layer:
    coarse_map_notice(model, layer, f"cam_layer_{mkey}")

try:
    with busy_sign(f"Computing {attribution.METHODS[method].label}…"):
        result = heatmap(mkey, picked.digest, method, class_index, layer, model, picked.image)
except InputError as err:
    st.error(plain(err), icon=":material/block:")
    st.stop()
heat = result.heatmaps[0]

# What to show: the picked image, enlarged without blur when it is small.
shown, factor = enlarge(picked.image, DISPLAY_SIDE)
height, width = shown.shape[:2]
heat_big = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
colour = attribution.colorize(heat_big, colormap)
blend = attribution.overlay(shown, heat_big, alpha=float(alpha), colormap=colormap)
panels = [shown, colour, blend]
if picked.box is not None:
    panels = [draw_box(p, picked.box, scale=factor) for p in panels]

cols = st.columns(3)
captions = [
    f"{picked.caption}" + (f" · true class {picked.true_label}" if picked.true_label else ""),
    f"heatmap for “{names[class_index]}”" + (f" at {result.layer_name}" if layer else ""),
    f"overlay ({alpha:.0%} heatmap)",
]
for col, panel, caption in zip(cols, panels, captions, strict=True):
    col.image(panel, caption=caption, width="stretch")

if picked.box is not None:
    h0, w0 = picked.image.shape[:2]
    hh, hw = heat.shape
    box = np.asarray(picked.box, dtype=np.float64) * [hw / w0, hh / h0, hw / w0, hh / h0]
    hit = bool(attribution.pointing_game(heat[None], box[None])[0])
    st.caption(
        "Green box: where the shape really is. "
        + ("The heatmap's peak falls inside it." if hit else "The heatmap's peak is outside it.")
    )

if isinstance(model.info, dict) and model.info.get("id"):  # a stored model: epoch snapshots
    from cnnviz.ui.snapshots_ui import snapshot_viewer_ui

    with st.expander("Scrub through training: how the kernels and maps formed"):
        snapshot_viewer_ui("cam", model.info["id"], model.class_names)

st.divider()
st.header("Can this heatmap be trusted?")
try:
    dataset = test_set(model)
except InputError:
    dataset = None
dataset_key = "" if dataset is None else f"{dataset.name}:{len(dataset.x_test)}"
localisation_section(model, method, layer, dataset, dataset_key)
sanity_section(model, picked.image, picked.digest, method, class_index, layer, colormap)
