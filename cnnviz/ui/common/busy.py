"""The one busy sign of the app: a spinner that says, in plain words, what is being done.

Every page wraps its slow steps (loading TensorFlow, loading or building a model, a forward
pass, a heatmap, a gradient ascent...) in :func:`busy_sign`, so a student never faces grey
placeholders without knowing the app is working::

    with busy_sign(LOADING_MODEL):
        model = store.load(model_id)

The spinner shows the seconds elapsed and disappears when the block ends. Results cached by
``st.cache_data`` / ``st.cache_resource`` come back at once on the next run, so the sign only
shows when the work really happens (Streamlit draws a spinner only once its block has run
for half a second).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

# The app's words for its slow steps, shared so that every page says the same thing.
LOADING_TENSORFLOW = "Loading TensorFlow and Keras (once per server start, about ten seconds)…"
LOADING_MODEL = "Loading the model…"
PREDICTING = "Asking the model what it sees…"


@contextlib.contextmanager
def busy_sign(doing: str) -> Iterator[None]:
    """Show a spinner saying ``doing`` (with the seconds elapsed) while the block runs.

    Args:
        doing: what is happening, for a student: "Computing Grad-CAM…", ending with "…".
    """
    with st.spinner(doing, show_time=True):
        yield
