"""What the Filters page keeps between tabs and page visits, and its first values.

Only the open tab runs, so the widgets of the other tabs are forgotten by Streamlit in
every run that does not draw them (as they are when the student visits another page).
Every setting below goes through :mod:`cnnviz.ui.common.kept_settings`: the page calls
:func:`restore_settings` first and :func:`remember_settings` last, and each section is a
:func:`kept_fragment`, which remembers after its own reruns too (a fragment rerun does not
reach the end of the page). Widgets take their value from Session State by ``key`` only.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

import streamlit as st

from cnnviz.ui.common import kept_settings

#: First values of the settings whose widget would otherwise start at its first option
#: (given through :func:`default`, never with ``value=``/``index=``).
DEFAULTS: dict[str, object] = {
    "gabor_ksize": 21,
    "gabor_sigma": 4.0,
    "gabor_theta": 0,
    "gabor_lambda": 10.0,
    "gabor_by": "wavelength",
    "gabor_frequency": 0.1,
    "gabor_gamma": 0.5,
    "gabor_psi": 0,
    "gabor_zero_mean": True,
    "sobel_ksize": 3,
    "bank_orientations": 4,
    "bank_wavelengths": [4.0, 8.0, 16.0],
    "bank_gamma": 0.5,
    "bank_shared": True,
    "custom_preset": "sharpen",
    "step_kernel": "sobel x",
    "pool_stride": 2,
    "arith_n": 7,
    "arith_f": 3,
    "arith_p": 0,
    "arith_s": 2,
    "arith_pool": False,
    "arith_pool_size": 2,
    "arith_pool_stride": 2,
}
#: Every setting kept while the student is on another tab or page.
KEPT_KEYS: tuple[str, ...] = (
    "filters_tab",
    *DEFAULTS,
    "gabor_view",
    "bank_view",
    "custom_size",
    "custom_border",
    "step_operation",
    "step_size",
    "step_border",
    "step_row",
    "step_col",
    "pool_size",
    "pool_row",
    "pool_col",
)
_SAVED_KEY = "filters_saved_settings"


def restore_settings() -> None:
    """Bring back the settings of earlier runs (first thing on the page)."""
    kept_settings.restore(KEPT_KEYS, _SAVED_KEY)


def default(key: str) -> str:
    """Give a widget its first value (from :data:`DEFAULTS`) through Session State.

    Call it as the widget's ``key=``, in the run that draws the widget: a value written
    for a widget Streamlit has never drawn stays behind under its key and would come back,
    stale, once the widget is forgotten again.

    Returns:
        ``key``.
    """
    st.session_state.setdefault(key, copy.copy(DEFAULTS[key]))
    return key


def remember_settings() -> None:
    """Keep the current settings for later runs (last thing on the page)."""
    kept_settings.remember(KEPT_KEYS, _SAVED_KEY)


def kept_fragment(section: Callable[..., None]) -> Callable[..., None]:
    """``st.fragment`` that remembers the settings at the end of each of its reruns."""

    @functools.wraps(section)
    def run(*args, **kwargs) -> None:
        try:
            section(*args, **kwargs)
        finally:
            remember_settings()

    return st.fragment(run)
