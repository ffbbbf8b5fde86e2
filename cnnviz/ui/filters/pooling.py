"""Step through max pooling: one output pixel, its window and the value it keeps."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.ui.common import figures
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.controls import arrow_buttons, position_sliders
from cnnviz.ui.filters.state import default


def _explain(
    shape: tuple[int, int], pooled: tuple[int, int], step: filters.PoolingStep, stride: int
) -> str:
    """Which image pixels the output pixel looks at, and how the image (h, w) shrinks."""
    (h, w), (out_h, out_w), size = shape, pooled, step.patch.shape[0]
    top, left = step.top, step.left
    text = (
        f"Output ({step.row}, {step.col}) looks at image rows {top}–{top + size - 1} and "
        f"columns {left}–{left + size - 1}; the largest value ({step.value:.0f}, outlined) is "
        f"kept, the other {size * size - 1} are dropped. The {w}×{h} image becomes "
        f"{out_w}×{out_h}: ⌊({w} − {size})/{stride}⌋ + 1 = {out_w} columns."
    )
    if stride < size:
        return text + " With stride < window, windows overlap and one pixel can win twice."
    if stride > size:
        return text + " With stride > window, the pixels between windows are never looked at."
    return text


def pooling_steps(gray: np.ndarray) -> None:
    """One output pixel of max pooling: the window and its largest value."""
    st.markdown(
        "**Max pooling** slides a window over the image (or a feature map) and keeps only the "
        "largest value under it: the map gets smaller, and a feature that fires anywhere in "
        "the window survives. Here with Keras' rules (`MaxPooling2D`, no padding)."
    )
    c1, c2 = st.columns(2)
    size = c1.radio("Window", [2, 3, 4], horizontal=True, key="pool_size",
                    format_func=lambda s: f"{s}×{s}")  # fmt: skip
    stride = c2.radio("Stride", [1, 2, 3, 4], horizontal=True, key=default("pool_stride"),
                      help="Keras' default stride is the window size.")  # fmt: skip
    pooled = filters.max_pool(gray, size, stride)
    h, w = pooled.shape
    row, col = position_sliders("pool", h, w, ("Output row", "Output column"))
    arrow_buttons("pool", h, w)
    step = filters.pooling_step(gray, row, col, size, stride)
    r, c = step.argmax
    c1, c2, c3 = st.columns([2, 3, 3])
    c1.plotly_chart(
        figures.matrix_figure(
            step.patch, f"Window {size}×{size}", diverging=False, zrange=(0, 255),
            decimals=0, box=(r, c, r, c), height=300,
        ),
        key="pool_patch_fig",
    )  # fmt: skip
    top, left = step.top, step.left
    zoom, r0, c0 = filters.neighbourhood(gray, (top, left, top + size - 1, left + size - 1), 6)
    c2.plotly_chart(
        figures.matrix_figure(
            zoom, f"The window in the image, at ({top}, {left})", diverging=False,
            zrange=(0, 255), annotate=False, height=300,
            box=(top - r0, left - c0, top - r0 + size - 1, left - c0 + size - 1),
        ),
        key="pool_zoom_fig",
    )  # fmt: skip
    c3.plotly_chart(
        light.response_image(
            pooled, f"Pooled output, {w}×{h}", diverging=False,
            zrange=(0.0, 255.0), height=300, colorbar=False, mark=(row, col),
        ),
        key="pool_output_fig",
    )  # fmt: skip
    m1, m2 = st.columns([1, 3], vertical_alignment="center")
    m1.metric("Max = output pixel", f"{step.value:.0f}")
    m2.caption(_explain(gray.shape, pooled.shape, step, stride))
