"""The Custom kernel tab: an editable 3×3 or 5×5 kernel, started from a classic one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.ui.common import figures
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.state import default, kept_fragment

#: Where the last edited kernel waits for the Step through tab.
CUSTOM_KERNEL_KEY = "filters_custom_kernel"


def _sum_note(total: float) -> str:
    """What the sum of the weights does to the image, in a sentence."""
    if abs(total) < 1e-6:
        return "Sum 0: flat areas become 0, only changes show (an edge detector)."
    if abs(total - 1) < 1e-6:
        return "Sum 1: overall brightness is kept."
    return "Brightness is multiplied by the sum."


@kept_fragment
def custom_section(gray: np.ndarray, key: str) -> None:
    """An editable 3×3 or 5×5 kernel with presets."""
    st.markdown(
        "Type your own kernel weights, or start from a classic one. Each output pixel is the "
        "sum of weights × the pixels under them."
    )
    c1, c2, c3 = st.columns(3)
    size = c1.radio(
        "Size",
        filters.PRESET_SIZES,
        horizontal=True,
        key="custom_size",
        format_func=lambda s: f"{s}×{s}",
    )
    preset = c2.selectbox("Start from", filters.KERNEL_PRESETS, key=default("custom_preset"))
    border = c3.selectbox(
        "Border",
        list(filters.BORDERS),
        key="custom_border",
        help="How pixels outside the image are filled: zero padding as in CNNs, or mirrored "
        "/ repeated edges.",
    )
    st.caption(filters.PRESET_NOTES[preset])
    start = pd.DataFrame(
        filters.kernel_preset(preset, size).astype(float), columns=[str(i) for i in range(size)]
    )
    left, right = st.columns([2, 3])
    with left:
        edited = st.data_editor(
            start,
            key=f"custom_editor_{preset}_{size}",  # a new preset or size starts a fresh table
            hide_index=True,
            column_config={
                c: st.column_config.NumberColumn(c, format="%.3f", width="small")
                for c in start.columns
            },
        )
        try:
            kernel = edited.to_numpy(dtype=float).astype(np.float32)
            response = filters.filter2d(gray, kernel, border=border)
        except InputError as err:
            st.error(str(err))
            return
        except (ValueError, TypeError):
            st.error("Every cell of the kernel needs a number.")
            return
        total = float(kernel.sum())
        total = 0.0 if abs(total) < 1e-6 else total  # 1/3 + 1/3 + 1/3 - 1 is not 0 in float32
        st.session_state[CUSTOM_KERNEL_KEY] = kernel
        st.caption(f"Sum of weights = {total:.3g}. " + _sum_note(total))
        st.plotly_chart(
            figures.matrix_figure(kernel, "Kernel", height=260), key="custom_kernel_fig"
        )
    with right:
        if abs(total) < 1e-6:
            fig = light.response_image(response, "Output (red = positive, blue = negative)")
        else:
            fig = light.response_image(
                response, "Output (clipped to 0…255)", diverging=False, zrange=(0.0, 255.0)
            )
        st.plotly_chart(fig, key="custom_response_fig")
