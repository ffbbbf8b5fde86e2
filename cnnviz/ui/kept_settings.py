"""Settings that survive page visits: one mechanism for every page with a form of widgets.

Streamlit forgets a widget's value in any run that does not draw it (another page, the
options of another dataset, a hidden control), and the browser forgets it too: a widget
drawn again shows its first option unless the server sends its value. So every kept
setting is written back through the Session State API before the widgets are drawn, which
makes Streamlit send it to the browser: what the student sees is always what the server
uses, never a slider minimum behind their back.

Call :func:`restore` first thing on the page and :func:`remember` last. The widgets must
take their value from Session State only (a ``key``, no ``value=``/``index=``).
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st


def restore(keys: Iterable[str], saved_key: str) -> None:
    """Write every kept setting back (the current value, else the one kept earlier)."""
    state = st.session_state
    saved = state.get(saved_key, {})
    for key in keys:
        if key in state:
            state[key] = state[key]
        elif key in saved:
            state[key] = saved[key]


def remember(keys: Iterable[str], saved_key: str) -> None:
    """Keep the current settings for later runs.

    Settings of widgets this run did not draw keep their earlier value: the kept copy is
    updated, never replaced.
    """
    state = st.session_state
    saved = dict(state.get(saved_key, {}))
    saved.update({k: state[k] for k in keys if k in state})
    state[saved_key] = saved
