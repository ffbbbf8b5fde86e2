"""The Filter bank tab: a grid of Gabor kernels and where each one fires."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.codegen.filters_code import FilterBankCode
from cnnviz.images import fit_within
from cnnviz.ui.common import figures
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.image_picker import chosen_sample
from cnnviz.ui.filters import cached
from cnnviz.ui.filters import response_figures as light
from cnnviz.ui.filters.controls import view_radio
from cnnviz.ui.filters.state import default, kept_fragment

WAVELENGTHS = [3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0]


def _tiles(gray: np.ndarray, strength: np.ndarray, *, shared: bool, over: bool) -> list:
    """One colour picture per |response|, on one scale or each on its own."""
    top = figures.value_range(strength, symmetric=True, percentile=figures.ROBUST_PERCENTILE)[1]
    small = fit_within(gray, cached.BANK_MAX_SIDE)
    tiles = []
    for one in strength:
        hi = top if shared else figures.value_range(one, symmetric=True, percentile=99.5)[1]
        if over:
            tiles.append(light.overlay(small, one, (0.0, hi), diverging=False))
        else:
            tiles.append(light.colorize(one, (0.0, hi), diverging=False))
    return tiles


@kept_fragment
def bank_section(gray: np.ndarray, key: str) -> None:
    """A grid of Gabor kernels and where each one fires."""
    st.markdown(
        "A **filter bank** is a set of kernels at several orientations (columns) and "
        "wavelengths (rows), like the first layer of a CNN. Compare where each one fires."
    )
    c1, c2, c3 = st.columns([1, 2, 1])
    orientations = c1.slider("Orientations", 2, 8, key=default("bank_orientations"))
    wavelengths = c2.multiselect(
        "Wavelengths λ (pixels)", WAVELENGTHS, key=default("bank_wavelengths")
    )
    gamma = c3.slider("γ", 0.2, 1.0, step=0.1, key=default("bank_gamma"))
    c1, c2 = st.columns([2, 3])
    shared = c1.toggle(
        "One colour scale for all",
        key=default("bank_shared"),
        help="The same colour scale for every response, so their strengths can be compared.",
    )
    with c2:
        over = view_radio("bank_view")
    if not wavelengths:
        st.warning("Choose at least one wavelength.")
        return
    specs, responses = cached.bank(key, gray, orientations, tuple(sorted(wavelengths)), gamma)
    titles = [spec.label for spec in specs]
    st.plotly_chart(
        figures.grid_figure(
            filters.padded_kernels(specs),  # at their true relative sizes
            titles,
            columns=orientations,
            diverging=True,
            cell_height=120,
        ),
        key="bank_kernels_fig",
    )
    tiles = _tiles(gray, np.abs(responses), shared=shared, over=over)
    st.plotly_chart(
        light.mosaic_figure(tiles, titles, columns=orientations, cell_height=150),
        key="bank_responses_fig",
    )
    c1, c2 = st.columns([2, 3])
    c1.plotly_chart(
        figures.rgb_figure(
            filters.strongest_orientation_rgb(specs, responses),
            "Strongest orientation at each pixel",
            height=320,
        ),
        key="bank_winner_fig",
    )
    c2.caption(
        "Above: each kernel (red positive, blue negative) and the strength |response| it "
        "produces (white = strong; over the photo: orange = strong). Left: for every pixel, "
        "the colour of the orientation that responds most (red 0°, green 45°, cyan 90°, "
        "violet 135°), bright where the response is strong. Kernels are drawn at their true "
        "relative sizes; each is made zero-mean with Σ|weights| = 1 before filtering, so big "
        "and small kernels compare fairly. Responses are computed on a copy at most 192 "
        "pixels wide."
    )
    source = FilterBankCode(
        gray,  # the page's gray copy; a sample is loaded with scikit-image instead
        sample=chosen_sample("filters"),
        orientations=orientations,
        wavelengths=tuple(sorted(wavelengths)),
        gamma=gamma,
    )
    code_expander(source, key="bank")
