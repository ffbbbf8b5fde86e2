"""The Draw section: what the model makes of a drawing, as it is drawn."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from cnnviz import models
from cnnviz.models import ImageModel
from cnnviz.ui import activations
from cnnviz.ui.common import inspect, pixels
from cnnviz.ui.common.drawing_pad import dataset_name
from cnnviz.ui.common.gradcam_overlay import show_gradcam_overlay
from cnnviz.ui.common.image_source import image_digest
from cnnviz.ui.common.model_picker import model_key


def truth_ui(key: str, model: ImageModel) -> int | None:
    """Ask what was drawn; the class index, or None while the student has not said."""
    names = list(model.class_names)
    digits = dataset_name(model) in ("digits", "mnist")
    return st.selectbox(
        "What digit did you draw?" if digits else "What did you draw?",
        [None, *range(len(names))],
        format_func=lambda i: "not said" if i is None else str(names[i]),
        key=f"{key}_truth",
        help='The attack is judged against this: "fooled" only when the model was right '
        "before it and is wrong after it.",
    )


def draw_analysis_ui(key: str, model: ImageModel, image: np.ndarray) -> None:
    """Probabilities, Grad-CAM overlay and the first layers' activations of a drawing."""
    mkey = model_key(model)
    digest = image_digest(image)
    started = time.perf_counter()
    probs = inspect.probabilities(mkey, digest, model, image)
    predict_ms = 1000 * (time.perf_counter() - started)
    names = list(model.class_names)
    cols = st.columns([1, 1.4, 1.4])
    with cols[0]:
        big, _ = pixels.enlarge(image, 168)
        st.image(big, caption="What the model sees (framed like its data)", width=168)
    with cols[1]:
        top = int(np.argmax(probs))
        st.markdown(f"**Prediction: {names[top] if top < len(names) else top}**")
        st.plotly_chart(
            inspect.top_k_figure(probs, names, highlight=top), key=f"{key}_topk", width="stretch"
        )
        st.caption(f"Framing + prediction: {predict_ms:.0f} ms on the server.")
    with cols[2]:
        if model.last_conv_layer:
            big, _ = pixels.enlarge(image, 224)
            show_gradcam_overlay(model, big)
        else:
            st.caption("No convolution layer: no Grad-CAM for this network.")
    layers = models.spatial_layers(model)[:2]
    if layers:
        acts = activations.all_activations(mkey, digest, model, image)
        act_cols = st.columns(len(layers))
        for col, layer in zip(act_cols, layers, strict=True):
            if layer not in acts:
                continue
            channels = tuple(range(min(16, acts[layer].shape[-1])))
            grid = activations.layer_grid(mkey, digest, layer, channels, "channel", model, image)
            col.plotly_chart(
                activations.grid_figure(grid, f"{layer}: activations", width=420, labels=False),
                key=f"{key}_act_{layer}",
            )
