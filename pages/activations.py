"""Activations: what every layer of a network makes of an image."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import models
from cnnviz.errors import InputError
from cnnviz.ui.activations import layer_stats, layer_table
from cnnviz.ui.activations.code import code_section
from cnnviz.ui.activations.sections import (
    LayerView,
    channel_maps_section,
    channel_stats_section,
    first_conv_section,
)
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.image_source import image_source
from cnnviz.ui.common.model_picker import model_key, model_picker
from cnnviz.ui.common.text import plain

MAX_CHANNELS = 128
COLOR_SCALES = ["Viridis", "Gray", "Inferno", "Cividis"]

st.title("Activations")
st.caption(
    "An image goes through the network one layer at a time. Each convolution layer turns it "
    "into a stack of **channel maps**: bright where that layer's filter found its pattern. "
    "Early layers find edges and colours, later ones larger parts."
)

# The second image's column only while comparing (else the first image gets its room).
comparing = bool(st.session_state.get("act_compare", False))
top = st.columns([1.2, 1, 1] if comparing else [1.2, 2])
col_model, col_image = top[:2]
with col_model:
    model = model_picker("activations")
    compare = st.toggle(
        "Compare two images",
        key="act_compare",
        help="Send a second image through the same filters, side by side.",
    )
if model is None:
    st.stop()
mkey = model_key(model)
with col_image:
    first = image_source("act_image", model, label="First image" if compare else "Image")
second = None
if compare and len(top) > 2:
    with top[2]:
        second = image_source(
            "act_image2", model, label="Second image", default_sample="coffee", default_position=1
        )
if first is None:
    st.info("Choose an image to send through the network.")
    st.stop()
pictures = [first] + ([second] if second is not None else [])

try:
    infos = models.layer_infos(model)
    with busy_sign("Running the image through every layer…"):
        table = layer_table(mkey, first.digest, model, first.image)
except InputError as err:
    st.error(plain(err), icon=":material/block:")
    st.stop()

shown = [info for info in infos if info.is_spatial or len(info.output_shape) == 1]
if not shown:
    st.error(
        "This model has no layer whose output can be shown as channels.", icon=":material/block:"
    )
    st.stop()
convs = [i for i, info in enumerate(shown) if info.is_conv]
default_layer = convs[0] if convs else 0


def _layer_label(index: int) -> str:
    info = shown[index]
    shape = " × ".join("?" if d is None else str(d) for d in info.output_shape)
    return f"{info.name} · {info.class_name} · {shape}"


st.subheader("Layers")
# Controls side by side and the table below them at full width: beside the controls, its six
# columns were clipped on a 1024-pixel projector.
c_layer, c_scale, c_colors = st.columns([2, 1.4, 1])
with c_layer:
    layer_index = st.selectbox(
        "Layer",
        range(len(shown)),
        index=default_layer,
        format_func=_layer_label,
        key="act_layer",
        help="Every layer's output shape is in the table; the first convolution is picked first.",
    )
    info = shown[layer_index]
    channels_total = int(info.output_shape[-1])
    if channels_total > 1 and info.is_spatial:
        lo, hi = st.slider(
            "Channels shown",
            0,
            channels_total - 1,
            (0, min(channels_total, 64) - 1),
            key="act_channels",
            help=f"At most {MAX_CHANNELS} maps are drawn at once.",
        )
    else:
        lo, hi = 0, channels_total - 1
with c_scale:
    scale = st.radio(
        "Colour scale",
        ["channel", "shared"],
        format_func={"channel": "per channel", "shared": "shared"}.get,
        captions=["each map uses its full range", "brightness comparable across channels"],
        key="act_scale",
    )
with c_colors:
    colorscale = st.selectbox("Colours", COLOR_SCALES, key="act_colors")

st.caption(
    f"{len(infos)} layers. *mean*: mean activation; *at zero*: channels that stay at "
    "zero, for the first image."
)
st.dataframe(
    table,
    height="content",  # every layer in view: no hidden rows to scroll to
    width="stretch",
    hide_index=True,
    # Widths in pixels that add up to the page's width on a 1024-pixel projector.
    column_config={
        "layer": st.column_config.TextColumn(width=147),
        "type": st.column_config.TextColumn(width=128),
        "output": st.column_config.TextColumn(width=85),
        "params": st.column_config.NumberColumn(width=65),
        "mean": st.column_config.NumberColumn(width=60, format="%.3g"),
        "at zero": st.column_config.TextColumn(width=60),
    },
)

if hi - lo + 1 > MAX_CHANNELS:
    st.warning(f"Showing channels {lo}–{lo + MAX_CHANNELS - 1} (at most {MAX_CHANNELS} at once).")
    hi = lo + MAX_CHANNELS - 1
channels = tuple(range(lo, hi + 1))

try:
    with busy_sign(f"Measuring the channels of {info.name}…"):
        stats = [layer_stats(mkey, p.digest, info.name, model, p.image) for p in pictures]
except InputError as err:
    st.error(plain(err), icon=":material/block:")
    st.stop()

view = LayerView(model, mkey, info, channels, scale, colorscale, pictures, stats)
channel_maps_section(view)
channel_stats_section(view)
first_conv_section(model)
code_section(model, first.image)

if isinstance(model.info, dict) and model.info.get("id"):  # a stored model: epoch snapshots
    from cnnviz.ui.common.snapshots_viewer import snapshot_viewer_ui

    with st.expander("Scrub through training: how the kernels and maps formed"):
        snapshot_viewer_ui("act", model.info["id"], model.class_names)
