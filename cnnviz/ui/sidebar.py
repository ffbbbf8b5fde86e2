"""The sidebar every page shares."""

import streamlit as st


def render_sidebar() -> None:
    """Draw the shared sidebar: what cnnviz is and where the student's work lives."""
    with st.sidebar:
        st.caption(
            "cnnviz · explore convolutional neural networks. Everything runs on this server; "
            "your uploads and models are visible only in your browser session."
        )
