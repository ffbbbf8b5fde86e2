"""Settings that survive page visits and reloads: one mechanism for every page's widgets.

Streamlit forgets a widget's value in any run that does not draw it (another page, the
options of another dataset, a hidden control), and the browser forgets it too: a widget
drawn again shows its first option unless the server sends its value. So every kept
setting is written back through the Session State API before the widgets are drawn, which
makes Streamlit send it to the browser: what the student sees is always what the server
uses, never a slider minimum behind their back.

A reload (F5, the same link on another computer) is a new browser session with an empty
Session State, while the workspace's job and models come back from the server. So the kept
settings are also saved in the workspace (``settings/<saved_key>.json``) and read back by a
new session: the Data section still says what trained the run shown below it.

Call :func:`restore` first thing on the page and :func:`remember` last. The widgets must
take their value from Session State only (a ``key``, no ``value=``/``index=``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from cnnviz.errors import InputError


def _settings_file(saved_key: str) -> Path | None:
    """Where this workspace keeps ``saved_key`` (None for a test's plain owner id)."""
    from cnnviz.ui.common.session import (
        workspace,  # session imports the core; keep this module light
    )

    try:
        ws = workspace()
    except (InputError, OSError):
        return None
    return None if ws is None else ws.folder / "settings" / f"{saved_key}.json"


def _load(saved_key: str) -> dict:
    path = _settings_file(saved_key)
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):  # none yet, or damaged: start from the defaults
        return {}
    return data if isinstance(data, dict) else {}


def _save(saved_key: str, settings: dict) -> None:
    path = _settings_file(saved_key)
    if path is None:
        return
    # Only what JSON keeps as it is (numbers, strings, lists, flags) goes to disk.
    plain = {}
    for key, value in settings.items():
        with contextlib.suppress(TypeError, ValueError):
            if json.loads(json.dumps(value)) == value:
                plain[key] = value
    with contextlib.suppress(OSError):  # a full or read-only disk must not break the page
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w") as f:
            json.dump(plain, f)
        os.replace(tmp, path)


def restore(keys: Iterable[str], saved_key: str) -> None:
    """Write every kept setting back (the current value, else the one kept earlier).

    A new browser session of a workspace starts from the settings the workspace kept.
    """
    state = st.session_state
    if saved_key not in state:
        state[saved_key] = _load(saved_key)
    saved = state[saved_key]
    for key in keys:
        if key in state:
            state[key] = state[key]
        elif key in saved:
            state[key] = saved[key]


def remember(keys: Iterable[str], saved_key: str) -> None:
    """Keep the current settings for later runs, and in the workspace when they changed.

    Settings of widgets this run did not draw keep their earlier value: the kept copy is
    updated, never replaced.
    """
    state = st.session_state
    before = state.get(saved_key, {})
    saved = dict(before)
    saved.update({k: state[k] for k in keys if k in state})
    state[saved_key] = saved
    if saved != before:
        _save(saved_key, saved)
