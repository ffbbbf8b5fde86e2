"""Sections of the "Draw & attack" page: a drawing pad framed like the data, and FGSM.

The drawing pad is the maintained ``streamlit-drawable-canvas`` component (its assets are
in the wheel, so it works offline). What is drawn is framed by
:func:`cnnviz.drawing.frame_drawing` the way the model's dataset frames its images.
"""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import adversarial, drawing, modelutils
from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel
from cnnviz.ui import inspect
from cnnviz.ui.busy import busy_sign
from cnnviz.ui.gradcam_panel import show_gradcam_overlay
from cnnviz.ui.image_source import image_digest
from cnnviz.ui.model_picker import model_key

CANVAS_SIDE = 280
STROKE_WIDTH = 20
DEFAULT_EPSILONS = tuple(np.round(np.linspace(0.0, 0.3, 10), 4))


def dataset_name(model: ImageModel) -> str | None:
    """The name of the dataset a stored model was trained on, if any."""
    info = model.info if isinstance(model.info, dict) else {}
    ds = info.get("dataset")
    return ds.get("name") if isinstance(ds, dict) else None


def drawable(model: ImageModel | None) -> bool:
    """True for models trained on digits, MNIST or Fashion-MNIST."""
    return model is not None and drawing.style_for(dataset_name(model)) is not None


def draw_ui(key: str, model: ImageModel) -> np.ndarray | None:
    """A drawing pad; returns the drawing framed for the model, or None while empty.

    Args:
        key: widget-key prefix.
        model: the model the drawing is for (its dataset decides the framing).

    Returns:
        (h, w, 3) uint8 RGB at the model's input size, or None when nothing is drawn.
    """
    from streamlit_drawable_canvas import st_canvas

    style = drawing.style_for(dataset_name(model)) or "mnist"
    result = st_canvas(
        stroke_width=STROKE_WIDTH,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"{key}_canvas",
    )
    rgba = result.image_data
    if rgba is None or not np.asarray(rgba)[..., :3].any():
        st.caption("Draw a digit with the mouse (or a finger); the model answers as you lift it.")
        return None
    started = time.perf_counter()
    framed = drawing.frame_drawing(np.asarray(rgba, dtype=np.uint8), style, model.input_size[0])
    st.session_state[f"{key}_frame_ms"] = 1000 * (time.perf_counter() - started)
    return framed


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
        big, _ = inspect.enlarge(image, 168)
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
            big, _ = inspect.enlarge(image, 224)
            show_gradcam_overlay(model, big)
        else:
            st.caption("No convolution layer: no Grad-CAM for this network.")
    layers = modelutils.spatial_layers(model)[:2]
    if layers:
        acts = inspect.all_activations(mkey, digest, model, image)
        act_cols = st.columns(len(layers))
        for col, layer in zip(act_cols, layers, strict=True):
            if layer not in acts:
                continue
            channels = tuple(range(min(16, acts[layer].shape[-1])))
            grid = inspect.layer_grid(mkey, digest, layer, channels, "channel", model, image)
            col.plotly_chart(
                inspect.grid_figure(grid, f"{layer}: activations", width=420, labels=False),
                key=f"{key}_act_{layer}",
            )


@st.cache_data(max_entries=16, show_spinner=False)
def _adversarial(
    mkey: str, digest: str, epsilon: float, _model: ImageModel, _image: np.ndarray
) -> np.ndarray:
    return adversarial.fgsm(_model, _image, epsilon)[0]


def fgsm_ui(key: str, model: ImageModel, image: np.ndarray) -> None:
    """An ε slider, the amplified perturbation, the adversarial image, before/after."""
    epsilon = st.slider(
        "ε (largest change of a pixel, 0..1)",
        0.0,
        0.3,
        value=0.1,
        step=0.01,
        key=f"{key}_epsilon",
        help="FGSM moves every pixel by ε in the direction that raises the loss of the "
        "predicted class the most.",
    )
    mkey = model_key(model)
    digest = image_digest(image)
    try:
        with busy_sign("Computing the adversarial image…"):
            adv = _adversarial(mkey, digest, float(epsilon), model, image)
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    clean = model.resize(image)[0]
    before = inspect.probabilities(mkey, digest, model, clean)
    after = inspect.probabilities(mkey, image_digest(adv), model, adv)
    delta = adv.astype(np.float32) - clean.astype(np.float32)
    peak = max(float(np.abs(delta).max()), 1.0)
    amplified = np.clip(127.5 + 127.5 * delta / peak, 0, 255).astype(np.uint8)
    names = list(model.class_names)
    c1, c2, c3 = st.columns(3)
    b, a = int(np.argmax(before)), int(np.argmax(after))
    with c1:
        st.image(inspect.enlarge(clean, 168)[0], width=168, caption="Clean")
        st.metric("Prediction before", f"{names[b]} ({before[b]:.0%})")
    with c2:
        st.image(
            inspect.enlarge(amplified, 168)[0],
            width=168,
            caption=f"Perturbation ×{255 / peak:.0f} (grey = 0)",
        )
    with c3:
        st.image(inspect.enlarge(adv, 168)[0], width=168, caption=f"Adversarial, ε = {epsilon}")
        st.metric(
            "Prediction after",
            f"{names[a]} ({after[a]:.0%})",
            delta="fooled" if a != b else "still right",
            delta_color="inverse" if a != b else "normal",
        )


@st.cache_data(max_entries=8, show_spinner="Attacking every test image at 10 values of ε…")
def _curve(mkey: str, _model: ImageModel, _x: np.ndarray, _y: np.ndarray, epsilons: tuple):
    started = time.perf_counter()
    curve = adversarial.accuracy_curve(_model, _x, _y, epsilons)
    return curve, time.perf_counter() - started


def curve_figure(curve: adversarial.EpsilonCurve) -> go.Figure:
    """Test accuracy against ε."""
    fig = go.Figure(
        go.Scatter(
            x=curve.epsilons,
            y=curve.accuracy,
            mode="lines+markers",
            hovertemplate="ε %{x:.3f}: accuracy %{y:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title="Test accuracy under FGSM",
        xaxis_title="ε",
        yaxis={"title": "accuracy", "tickformat": ".0%", "range": [0, 1.02]},
    )
    return fig


def accuracy_curve_ui(key: str, model: ImageModel, x_test: np.ndarray, y_test: np.ndarray):
    """The accuracy-against-ε curve over the test set, on request."""
    if not st.button("Attack the whole test set", key=f"{key}_curve", icon=":material/bolt:"):
        return
    from cnnviz.datasets import to_rgb

    curve, seconds = _curve(model_key(model), model, to_rgb(x_test), y_test, DEFAULT_EPSILONS)
    st.plotly_chart(curve_figure(curve), key=f"{key}_curve_plot")
    st.caption(
        f"{len(y_test):,} test images, {len(curve.epsilons)} values of ε, {seconds:.1f} s. "
        f"At ε = 0 this is the clean accuracy ({curve.accuracy[0]:.1%})."
    )
