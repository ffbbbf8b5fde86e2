"""The Draw section: what the model makes of a drawing, as it is drawn."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from cnnviz import models
from cnnviz.models import ImageModel
from cnnviz.ui import activations
from cnnviz.ui.common import inspect, pixels
from cnnviz.ui.common.drawing_pad import CANVAS_SIDE, dataset_name, draw_ui
from cnnviz.ui.common.gradcam_overlay import show_gradcam_overlay
from cnnviz.ui.common.image_source import image_digest
from cnnviz.ui.common.model_picker import model_key
from cnnviz.ui.common.text import plain


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


# Cards of a fixed width in one row that wraps: on a 1024-px projector the pad and what the
# model sees share a line, the prediction and Grad-CAM the next; nothing is squeezed under
# its content's width.
SEEN_SIDE = 168
PREDICTION_WIDTH = 240
GRAD_CAM_SIDE = 224
GRID_WIDTH = 260


def draw_section_ui(key: str, model: ImageModel) -> tuple[np.ndarray | None, int | None]:
    """The drawing pad, what the model makes of the drawing, and its first layers.

    Returns:
        The drawing framed for the model ((h, w, 3) uint8 RGB, or None while nothing is
        drawn) and the class the student says they drew (None while not said).
    """
    with st.container(horizontal=True, gap="medium"):
        with st.container(width=CANVAS_SIDE):
            drawn = draw_ui(key, model)
            truth = truth_ui(key, model)
        if drawn is not None:
            reading_ui(key, model, drawn)
    if drawn is not None:
        first_layers_ui(key, model, drawn)
    return drawn, truth


def reading_ui(key: str, model: ImageModel, image: np.ndarray) -> None:
    """What the model sees, its prediction and its Grad-CAM overlay, one card each."""
    mkey = model_key(model)
    digest = image_digest(image)
    started = time.perf_counter()
    probs = inspect.probabilities(mkey, digest, model, image)
    predict_ms = 1000 * (time.perf_counter() - started)
    names = list(model.class_names)
    with st.container(width=SEEN_SIDE):
        big, _ = pixels.enlarge(image, SEEN_SIDE)
        st.image(big, caption="What the model sees (framed like its data)", width=SEEN_SIDE)
    with st.container(width=PREDICTION_WIDTH):
        top = int(np.argmax(probs))
        st.markdown(f"**Prediction: {plain(names[top]) if top < len(names) else top}**")
        st.plotly_chart(
            inspect.top_k_figure(probs, names, highlight=top), key=f"{key}_topk", width="stretch"
        )
        st.caption(f"Framing + prediction: {predict_ms:.0f} ms on the server.")
    with st.container(width=GRAD_CAM_SIDE):
        if model.last_conv_layer:
            big, _ = pixels.enlarge(image, GRAD_CAM_SIDE)
            show_gradcam_overlay(model, big)
        else:
            st.caption("No convolution layer: no Grad-CAM for this network.")


def first_layers_ui(key: str, model: ImageModel, image: np.ndarray) -> None:
    """The activations of the first two spatial layers, side by side (wrapping when narrow)."""
    layers = models.spatial_layers(model)[:2]
    if not layers:
        return
    mkey = model_key(model)
    digest = image_digest(image)
    acts = activations.all_activations(mkey, digest, model, image)
    with st.container(horizontal=True, gap="medium"):
        for layer in layers:
            if layer not in acts:
                continue
            channels = tuple(range(min(16, acts[layer].shape[-1])))
            grid = activations.layer_grid(mkey, digest, layer, channels, "channel", model, image)
            figure = activations.grid_figure(
                grid, f"{layer}: activations", width=GRID_WIDTH, labels=False
            )
            st.plotly_chart(figure, key=f"{key}_act_{layer}", width=GRID_WIDTH)
