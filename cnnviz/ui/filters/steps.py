"""The Step through tab: one output pixel of a convolution, product by product."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.ui.common import figures
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.controls import arrow_buttons, position_sliders
from cnnviz.ui.filters.custom import CUSTOM_KERNEL_KEY
from cnnviz.ui.filters.pooling import pooling_steps
from cnnviz.ui.filters.state import default, kept_fragment

MY_KERNEL = "my custom kernel"


@kept_fragment
def step_section(gray: np.ndarray, key: str) -> None:
    """Step through one output pixel of a convolution or of a max-pooling layer."""
    operation = st.radio(
        "Step through",
        ["Convolution", "Max pooling"],
        horizontal=True,
        key="step_operation",
        label_visibility="collapsed",
    )
    if operation == "Max pooling":
        pooling_steps(gray)
    else:
        convolution_steps(gray)


def _terms(step: filters.ConvolutionStep, shown: int = 6) -> str:
    """The first products of the sum, written out: ``12·0.5 + 40·(-1) + …``."""
    pairs = zip(step.patch.ravel()[:shown], step.kernel.ravel()[:shown], strict=True)
    terms = " + ".join(f"{p:.0f}·({k:.2g})" if k < 0 else f"{p:.0f}·{k:.2g}" for p, k in pairs)
    return terms + (" + …" if step.kernel.size > shown else "")


def convolution_steps(gray: np.ndarray) -> None:
    """One output pixel: patch × kernel = products, summed."""
    st.markdown(
        "Follow one output pixel: the kernel sits on the image, each weight multiplies the "
        "pixel under it, and the sum of the products is the output."
    )
    h, w = gray.shape
    choices = list(filters.KERNEL_PRESETS)
    if CUSTOM_KERNEL_KEY in st.session_state:
        choices.append(MY_KERNEL)
    c1, c2, c3 = st.columns(3)
    choice = c1.selectbox("Kernel", choices, key=default("step_kernel"))
    size = c2.radio(
        "Size",
        filters.PRESET_SIZES,
        horizontal=True,
        key="step_size",
        format_func=lambda s: f"{s}×{s}",
        disabled=choice == MY_KERNEL,
    )
    border = c3.selectbox("Border", list(filters.BORDERS), key="step_border")
    kernel = (
        st.session_state[CUSTOM_KERNEL_KEY]
        if choice == MY_KERNEL
        else filters.kernel_preset(choice, size)
    )
    row, col = position_sliders("step", h, w, ("Row", "Column"))
    arrow_buttons("step", h, w, corner=True)

    step = filters.convolution_step(gray, kernel, row, col, border=border)
    full = filters.filter2d(gray, kernel, border=border)
    kh, kw = kernel.shape
    c1, c2, c3 = st.columns(3)
    c1.plotly_chart(
        figures.matrix_figure(step.patch, "Image patch", diverging=False, zrange=(0, 255),
                              highlight=step.outside, decimals=0, height=300),
        key="step_patch_fig",
    )  # fmt: skip
    c2.plotly_chart(
        figures.matrix_figure(step.kernel, "× Kernel", height=300), key="step_kernel_fig"
    )
    c3.plotly_chart(
        figures.matrix_figure(step.product, "= Products", decimals=1, height=300),
        key="step_product_fig",
    )
    # The sum gets a full-width row of its own, so it is never cut off on a narrow screen.
    m1, m2 = st.columns([1, 3], vertical_alignment="center")
    m1.metric("Sum = output pixel", f"{step.total:.2f}")
    with m2:
        st.caption(
            f"Σ patch × kernel = {_terms(step)} = {step.total:.2f}. "
            f"The whole filtered image has {full[row, col]:.2f} at ({row}, {col})."
        )
        if step.outside.any():
            st.caption(f"Dotted cells lie outside the image: filled by the '{border}' rule.")
    # Where we are: the neighbourhood around the position, and the whole output.
    c1, c2 = st.columns(2)
    zoom, r0, c0 = filters.neighbourhood(gray, (row, col, row, col), 7)
    fig = figures.matrix_figure(
        zoom,
        f"Neighbourhood of ({row}, {col}), kernel outlined",
        diverging=False,
        zrange=(0, 255),
        annotate=False,
        box=(row - r0 - kh // 2, col - c0 - kw // 2, row - r0 + kh // 2, col - c0 + kw // 2),
        height=320,
    )
    c1.plotly_chart(fig, key="step_zoom_fig")
    out = light.response_image(
        full, "Whole output (× = this pixel)", height=320, colorbar=False, mark=(row, col)
    )
    c2.plotly_chart(out, key="step_output_fig")
