"""The Arithmetic tab: the output size of a convolution and a pooling layer, step by step."""

from __future__ import annotations

import streamlit as st

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.ui.common import figures
from cnnviz.ui.filters.state import default, kept_fragment


@kept_fragment
def arithmetic_section() -> None:
    """Output size of a convolution and a pooling layer, step by step."""
    st.markdown(
        "How big is a layer's output? Slide a kernel of size **F** with stride **S** over an "
        "input of size **N** padded with **P** zeros on each side: "
        "**(N − F + 2P) / S + 1** positions. If the division is not exact, frameworks round "
        "down; here you see whether that only skips padding or real rows of the input."
    )
    c1, c2, c3, c4 = st.columns(4)
    n = c1.number_input("Input size N", 1, 4096, key=default("arith_n"))
    f = c2.number_input("Kernel size F", 1, 4096, key=default("arith_f"))
    p = c3.number_input("Padding P", 0, 1024, key=default("arith_p"))
    s = c4.number_input("Stride S", 1, 1024, key=default("arith_s"))
    if f % 2 == 1:
        st.caption(
            f"Tip: P = {filters.same_padding(f)} keeps the size at stride 1 ('same' padding)."
        )
    try:
        conv = filters.explain_output_size(n, f, p, s)
    except InputError as err:
        st.error(str(err))
        return
    show_report("Convolution", conv)
    size_after_conv = conv.floor_size
    if conv.padded <= 64:
        starts = filters.window_starts(n, f, p, s)
        st.plotly_chart(
            figures.windows_figure(conv.padded, f, p, starts, "Window positions along one row"),
            key="arith_windows_fig",
        )
    st.divider()
    if st.checkbox("Then a pooling layer", key=default("arith_pool")):
        c1, c2 = st.columns(2)
        pool = c1.number_input("Pool size", 1, 64, key=default("arith_pool_size"))
        stride = c2.number_input("Pool stride", 1, 64, key=default("arith_pool_stride"))
        try:
            report = filters.explain_output_size(size_after_conv, pool, 0, stride)
        except InputError as err:
            st.error(str(err))
            return
        show_report(f"Pooling on the {size_after_conv}×{size_after_conv} output", report)


def show_report(title: str, report: filters.OutputSize) -> None:
    """The worked steps and the output size: green when the stride fits, else why not."""
    st.markdown(f"**{title}**")
    st.code("\n".join(report.steps), language=None)
    if report.fits:
        st.success(f"Output: {report.size} × {report.size}")
    elif report.lost_input == 0:
        # E.g. the ResNet stem (224, F = 7, P = 3, S = 2): rounding down only skips padding.
        st.info(f"Output: {report.floor_size} × {report.floor_size}. " + report.explanation())
    else:
        st.warning(
            f"Output: {report.floor_size} × {report.floor_size}. "
            + report.explanation()
            + " To use every pixel, try: "
            + "; ".join(report.suggestions())
            + "."
        )
