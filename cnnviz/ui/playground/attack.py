"""The Attack section: FGSM on one image, and test accuracy against ε."""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import adversarial
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common import inspect, pixels
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.image_source import image_digest
from cnnviz.ui.common.model_picker import model_key
from cnnviz.ui.common.text import plain

DEFAULT_EPSILONS = tuple(np.round(np.linspace(0.0, 0.3, 10), 4))


@st.cache_data(max_entries=16, show_spinner=False)
def _adversarial(
    mkey: str, digest: str, epsilon: float, _model: ImageModel, _image: np.ndarray
) -> np.ndarray:
    return adversarial.fgsm(_model, _image, epsilon)[0]


_DELTA_COLOR = {"bad": "inverse", "good": "normal", "neutral": "off"}


def fgsm_ui(
    key: str, model: ImageModel, image: np.ndarray, truth: int | None = None, whose: str = "your"
) -> None:
    """An ε slider, the amplified perturbation, the adversarial image, before/after.

    Args:
        key: widget-key prefix.
        model: the model attacked.
        image: (h, w, 3) uint8 RGB.
        truth: the true class index when known (what was drawn, a test image's label); the
            verdict is judged against it, else against the model's first answer.
        whose: how the verdict names the image ("your 7", "this 7").
    """
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
    true_name = names[truth] if truth is not None and 0 <= truth < len(names) else None
    verdict = adversarial.attack_verdict(names[b], names[a], true_name, whose=whose)
    with c1:
        st.image(pixels.enlarge(clean, 168)[0], width=168, caption="Clean")
        st.metric("Prediction before", f"{names[b]} ({before[b]:.0%})")
    with c2:
        st.image(
            pixels.enlarge(amplified, 168)[0],
            width=168,
            caption=f"Perturbation ×{255 / peak:.0f} (grey = 0)",
        )
    with c3:
        st.image(pixels.enlarge(adv, 168)[0], width=168, caption=f"Adversarial, ε = {epsilon}")
        st.metric(
            "Prediction after",
            f"{names[a]} ({after[a]:.0%})",
            delta=verdict.label,
            delta_color=_DELTA_COLOR[verdict.tone],
        )
    sentence = plain(verdict.sentence)
    if true_name is None and whose == "your":
        sentence += " Say what you drew, under the drawing pad, to judge it against the truth."
    st.markdown(sentence)


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
