"""The Filters page's caches: the gray copy it filters, Gabor responses, bank grids.

Responses are keyed by the gray image's digest (computed once, with the gray copy), so a
fragment rerun never hashes the pixels again; the arrays themselves are not hashed
(``_gray`` arguments).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import filters
from cnnviz.caching import digest
from cnnviz.filters import GaborSpec
from cnnviz.images import fit_within, to_gray

PROCESS_MAX_SIDE = 512  # filtering runs on gray images at most this size
BANK_MAX_SIDE = 192  # the bank's grid shows many maps: it filters a smaller copy


@st.cache_data(max_entries=32, show_spinner=False)
def gray_copy(image: np.ndarray) -> tuple[np.ndarray, str]:
    """The gray copy every section filters (at most PROCESS_MAX_SIDE), and its digest.

    Args:
        image: (H, W, 3) uint8 RGB.

    Returns:
        ``(gray, key)``: (h, w) uint8 and the hex digest that keys the response caches.
    """
    gray = to_gray(fit_within(image, PROCESS_MAX_SIDE))
    return gray, digest(gray)


@st.cache_data(max_entries=48, show_spinner=False)
def gabor_response(
    key: str, _gray: np.ndarray, params: tuple, zero_mean: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(kernel, float16 response) for one image (by ``key``), see ``filters.gabor_response``.

    48 cached float16 responses of a 512-pixel image take about 20 MB.
    """
    return filters.gabor_response(_gray, params, zero_mean=zero_mean)


@st.cache_data(max_entries=8, show_spinner=False)
def bank(
    key: str, _gray: np.ndarray, orientations: int, wavelengths: tuple, gamma: float
) -> tuple[list[GaborSpec], np.ndarray]:
    """(specs, responses) of a Gabor bank on a copy at most BANK_MAX_SIDE pixels wide."""
    small = fit_within(_gray, BANK_MAX_SIDE)
    return filters.bank_grid(small, orientations, wavelengths, gamma)
