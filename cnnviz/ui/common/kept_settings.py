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

from cnnviz import diskspace
from cnnviz.errors import InputError


def _workspace():
    """This browser's workspace (None for a test's plain owner id)."""
    from cnnviz.ui.common.session import (
        workspace,  # session imports the core; keep this module light
    )

    try:
        return workspace()
    except (InputError, OSError):
        return None


def _settings_file(ws, saved_key: str) -> Path:
    return ws.folder / "settings" / f"{saved_key}.json"


def _load(saved_key: str) -> tuple[dict, bool]:
    """The settings the workspace kept, and whether it kept any (a file exists)."""
    ws = _workspace()
    if ws is None:
        return {}, False
    try:
        data = json.loads(_settings_file(ws, saved_key).read_text())
    except (OSError, ValueError):  # none yet, or damaged: start from the defaults
        return {}, False
    return (data, True) if isinstance(data, dict) else ({}, False)


def _save(saved_key: str, settings: dict) -> bool:
    """Write the settings into the workspace; False when they could not be kept on disk.

    The workspace's first save makes its folder (if this address may start a workspace);
    later ones only check the free space, they are a few KB.
    """
    from cnnviz.ui.common.session import client_address

    ws = _workspace()
    if ws is None:
        return False
    # Only what JSON keeps as it is (numbers, strings, lists, flags) goes to disk.
    plain = {}
    for key, value in settings.items():
        with contextlib.suppress(TypeError, ValueError):
            if json.loads(json.dumps(value)) == value:
                plain[key] = value
    text = json.dumps(plain)
    path = _settings_file(ws, saved_key)
    try:  # a full or read-only disk, or a limit reached, must not break the page
        if ws.folder.is_dir():
            diskspace.check_free_space(len(text))
            _write(path, text)
        else:
            with ws.reserve(len(text), address=client_address()):
                _write(path, text)
    except (InputError, OSError):
        return False
    return True


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def restore(keys: Iterable[str], saved_key: str) -> None:
    """Write every kept setting back (the current value, else the one kept earlier).

    A new browser session of a workspace starts from the settings the workspace kept.
    """
    state = st.session_state
    if saved_key not in state:
        state[saved_key], state[f"{saved_key}_on_disk"] = _load(saved_key)
    saved = state[saved_key]
    for key in keys:
        if key in state:
            state[key] = state[key]
        elif key in saved:
            state[key] = saved[key]


def remember(keys: Iterable[str], saved_key: str) -> None:
    """Keep the current settings for later runs, and in the workspace when they changed.

    Settings of widgets this run did not draw keep their earlier value: the kept copy is
    updated, never replaced. What the page first showed is nobody's choice: a visit saves
    nothing (so it makes no workspace folder); the first setting the student changes is
    saved, with the others.
    """
    state = st.session_state
    before = state.get(saved_key, {})
    saved = dict(before)
    saved.update({k: state[k] for k in keys if k in state})
    state[saved_key] = saved
    shown = state.setdefault(f"{saved_key}_shown", {})
    for key, value in saved.items():
        shown.setdefault(key, value)
    on_disk = f"{saved_key}_on_disk"
    if saved != before and (state.get(on_disk) or saved != shown):
        state[on_disk] = _save(saved_key, saved)
