"""Who is this browser session? Models and uploads are owned by this id."""

import uuid

import streamlit as st

_KEY = "cnnviz_session_id"


def session_id() -> str:
    """A random id for this browser session, created on first use and kept in session_state."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = uuid.uuid4().hex
    return st.session_state[_KEY]
