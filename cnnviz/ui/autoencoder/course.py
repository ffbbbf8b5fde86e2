"""After training: the course's printed losses beside this run's, and why they may differ."""

from __future__ import annotations

import streamlit as st

from cnnviz import autoencoder
from cnnviz.ui.common.text import plain


def course_ui(meta: dict) -> None:
    """Two lines (the course, this run) and one sentence on the gap; nothing without a loss."""
    comparison = autoencoder.compare_with_course(meta)
    if comparison is None:
        return
    st.markdown("**Beside the course**")
    for row in (comparison.course, comparison.ours):
        st.markdown(plain(row.line()))
    st.caption(plain(comparison.why))
