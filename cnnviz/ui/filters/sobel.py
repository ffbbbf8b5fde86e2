"""The Sobel tab: x and y gradients, their magnitude and direction."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.ui.common import figures
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.state import default, kept_fragment


@kept_fragment
def sobel_section(gray: np.ndarray, key: str) -> None:
    """Sobel gradients: x, y, magnitude and direction."""
    st.markdown(
        "**Sobel** kernels measure how fast brightness changes: *x* to the right, *y* "
        "downwards. Together they give the edge strength (magnitude) and the direction in "
        "which brightness increases."
    )
    ksize = st.select_slider(
        "Kernel size",
        filters.SOBEL_SIZES,
        key=default("sobel_ksize"),
        help="1 means the plain [-1, 0, 1] difference.",
    )
    gx, gy, magnitude, direction = filters.sobel(gray, ksize)
    # One colour scale for gx and gy, so their strengths can be compared.
    both = np.concatenate([gx.ravel(), gy.ravel()])
    top = figures.value_range(both, symmetric=True, percentile=figures.ROBUST_PERCENTILE)[1]
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        light.response_image(gx, "gx: change to the right", zrange=(-top, top), height=360),
        key="sobel_gx_fig",
    )
    c2.plotly_chart(
        light.response_image(gy, "gy: change downwards", zrange=(-top, top), height=360),
        key="sobel_gy_fig",
    )
    c3, c4 = st.columns(2)
    c3.plotly_chart(
        light.response_image(magnitude, "Magnitude √(gx² + gy²)", diverging=False, height=360),
        key="sobel_mag_fig",
    )
    with c4:
        fig = figures.rgb_figure(
            filters.direction_rgb(direction, magnitude),
            "Direction (colour) × magnitude",
            height=360,
        )
        st.plotly_chart(fig, key="sobel_dir_fig")
    legend_col, text_col = st.columns([1, 5])
    legend_col.image(filters.angle_wheel(96), width=96)
    text_col.caption(
        "Colour wheel: the hue tells the direction in which brightness increases "
        "(red → right, yellow-green ↓ down, cyan ← left, violet ↑ up); brightness tells the "
        f"edge strength. Sobel {ksize}×{ksize}, reflected borders, same results as cv2.Sobel."
    )
    kx = filters.kernel_preset("sobel x", ksize) if ksize in filters.PRESET_SIZES else None
    if kx is not None:
        with st.expander(f"The {ksize}×{ksize} kernels"):
            k1, k2 = st.columns(2)
            k1.plotly_chart(
                figures.matrix_figure(kx, "Sobel x", decimals=0, height=260), key="sobel_kx_fig"
            )
            k2.plotly_chart(
                figures.matrix_figure(kx.T, "Sobel y", decimals=0, height=260), key="sobel_ky_fig"
            )
