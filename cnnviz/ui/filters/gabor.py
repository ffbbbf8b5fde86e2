"""The Gabor tab: six sliders, the kernel they make and where it fires."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.ui.common import figures
from cnnviz.ui.filters import cached
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.controls import view_radio
from cnnviz.ui.filters.state import DEFAULTS, default, kept_fragment

_BY_LABELS = {"wavelength": "wavelength λ", "frequency": "frequency f = 1/λ"}
# (min, max, step) of the two sliders: λ 2..40 pixels is f 0.025..0.5 cycles per pixel.
_LAMBDA_RANGE = (2.0, 40.0, None, 0.5)
_FREQUENCY_RANGE = (0.025, 0.5, None, 0.005)


def _degrees_caption(degrees: float) -> str:
    return f"{degrees:g}° = {math.radians(degrees):.3f} rad"


def _stripes_caption(by: str, lambd: float) -> str:
    f = filters.gabor_frequency(lambd)
    if by == "frequency":
        return f"f = {f:.3g} cycles per pixel, so λ = {lambd:.3g} px (1/f)."
    return f"λ = {lambd:.3g} px, so f = {f:.3g} cycles per pixel (1/λ)."


def _carry_stripes_over() -> None:
    """On switching between λ and f, start the new slider where the old one was."""
    state = st.session_state
    if state.get("gabor_by") == "frequency":
        lambd = float(state.get("gabor_lambda", DEFAULTS["gabor_lambda"]))
        f = round(filters.gabor_frequency(lambd) / 0.005) * 0.005
        state["gabor_frequency"] = round(min(max(f, 0.025), 0.5), 3)
    else:
        f = float(state.get("gabor_frequency", DEFAULTS["gabor_frequency"]))
        lambd = round(filters.gabor_wavelength(f) * 2) / 2
        state["gabor_lambda"] = min(max(lambd, 2.0), 40.0)


def gabor_section(gray: np.ndarray, key: str) -> None:
    """Gabor: the text and formula, drawn once, around the part that reruns."""
    st.markdown(
        "A **Gabor kernel** is a stripe pattern inside a soft round window. It fires where the "
        "image has stripes or edges of the same orientation and spacing: early CNN layers "
        "learn kernels that look much like these."
    )
    gabor_controls(gray, key)
    with st.expander("The formula"):
        st.latex(
            r"g(x,y)=\exp\!\left(-\frac{x'^2+\gamma^2y'^2}{2\sigma^2}\right)"
            r"\cos\!\left(\frac{2\pi x'}{\lambda}+\psi\right),\quad "
            r"x'=x\cos\theta+y\sin\theta,\; y'=-x\sin\theta+y\cos\theta"
        )
        st.caption(
            "Same values as OpenCV's cv2.getGaborKernel (before the optional mean subtraction)."
        )


@kept_fragment
def gabor_controls(gray: np.ndarray, key: str) -> None:
    """Gabor sliders, the kernel and its response: the only part a slider move reruns."""
    c1, c2, c3 = st.columns(3)
    ksize = c1.slider(
        "Kernel size", 3, 61, step=2, key=default("gabor_ksize"), help="Side in pixels (odd)."
    )
    sigma = c1.slider("σ (window width)", 0.5, 15.0, step=0.5, key=default("gabor_sigma"))
    theta_deg = c2.slider(
        "θ (orientation, degrees)",
        0,
        180,
        step=5,
        key=default("gabor_theta"),
        help="Direction the wave travels: 0° gives vertical stripes.",
    )
    by = c2.radio(
        "Stripes set by",
        ["wavelength", "frequency"],
        format_func=_BY_LABELS.get,
        horizontal=True,
        key=default("gabor_by"),
        on_change=_carry_stripes_over,
        help="The frequency f is 1/λ, in cycles per pixel (how some lectures give it). "
        "Either way the kernel is the same.",
    )
    if by == "frequency":
        default("gabor_frequency")
        frequency = c2.slider(
            "f (frequency, cycles per pixel)", *_FREQUENCY_RANGE, key="gabor_frequency"
        )
        lambd = filters.gabor_wavelength(frequency)
    else:
        lambd = c2.slider("λ (wavelength, pixels)", *_LAMBDA_RANGE, key=default("gabor_lambda"))
    gamma = c3.slider(
        "γ (aspect ratio)",
        0.1,
        1.5,
        step=0.05,
        key=default("gabor_gamma"),
        help="1 = round window; smaller = longer stripes.",
    )
    psi_deg = c3.slider(
        "ψ (phase, degrees)",
        -180,
        180,
        step=15,
        key=default("gabor_psi"),
        help="0° = bar detector (symmetric), 90° = edge detector.",
    )
    c1, c2 = st.columns([2, 3])
    zero_mean = c1.toggle(
        "Zero-mean kernel",
        key=default("gabor_zero_mean"),
        help="Subtract the kernel's mean, so it responds to stripes and edges, not to plain "
        "brightness.",
    )
    with c2:
        over = view_radio("gabor_view")
    theta, psi = math.radians(theta_deg), math.radians(psi_deg)
    try:
        params = (ksize, sigma, theta, lambd, gamma, psi)
        kernel, response = cached.gabor_response(key, gray, params, zero_mean)
    except InputError as err:
        st.error(str(err))
        return
    response = response.astype(np.float32)
    left, right = st.columns([2, 3])
    left.plotly_chart(
        figures.matrix_figure(kernel, f"Kernel {ksize}×{ksize}", annotate=False, height=420),
        key="gabor_kernel_fig",
    )
    right.plotly_chart(
        light.response_image(
            response,
            "Response over the photo" if over else "Response (red = positive, blue = negative)",
            under=gray if over else None,
        ),
        key="gabor_response_fig",
    )
    st.caption(
        f"θ = {_degrees_caption(theta_deg)}, ψ = {_degrees_caption(psi_deg)}. "
        f"{_stripes_caption(by, lambd)} "
        f"Response range {response.min():.1f} … {response.max():.1f}."
    )
