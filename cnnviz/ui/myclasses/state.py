"""The page's keys, this browser's project, and a message kept for the next run."""

from __future__ import annotations

import streamlit as st

from cnnviz import myclasses
from cnnviz.ui.common.model_picker import store
from cnnviz.ui.common.session import client_address, workspace
from cnnviz.ui.common.text import plain

PREFIX = "myclasses"
_FLASH = f"{PREFIX}_flash"
FULL_HINT = " Remove images or classes you no longer need, here or on the other pages."


def project() -> myclasses.Project | None:
    """The classes of this browser's workspace (None without a workspace: a test's owner)."""
    ws = workspace()
    if ws is None:
        return None
    return myclasses.Project(ws, store(), client_address())


def counter(name: str) -> int:
    """A number that grows each time a widget must start empty again (its key changes)."""
    return int(st.session_state.get(f"{PREFIX}_{name}_n", 0))


def bump(name: str) -> None:
    """Give the widget counted by ``name`` a new key on the next run (it starts empty)."""
    st.session_state[f"{PREFIX}_{name}_n"] = counter(name) + 1


def flash(kind: str, text: str, where: str) -> None:
    """Keep a message (``"success"``, ``"warning"`` or ``"error"``) for the next run.

    ``where``: the section that shows it (``"classes"``, ``"add"``, ``"train"``,
    ``"exports"``), so it appears beside the button that caused it.
    """
    st.session_state.setdefault(f"{_FLASH}_{where}", []).append((kind, text))


def show_flashes(where: str) -> None:
    """Show the messages kept by :func:`flash` for section ``where``, once."""
    for kind, text in st.session_state.pop(f"{_FLASH}_{where}", []):
        getattr(st, kind)(plain(text))


def report_added(result: myclasses.Added, class_name: str) -> None:
    """Flash what an addition did: how many were added, and each skipped file's reason."""
    if result.added:
        made = ""
        if result.classes_made:
            made = " New classes: " + ", ".join(f"“{n}”" for n in result.classes_made) + "."
        flash("success", f"Added {result.added} image(s) to {class_name}.{made}", "add")
    for reason in result.skipped[:5]:
        flash("warning", f"Skipped {reason}", "add")
    if len(result.skipped) > 5:
        flash(
            "warning",
            f"… and {len(result.skipped) - 5} more files that are not usable images.",
            "add",
        )
