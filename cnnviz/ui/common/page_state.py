"""What a page keeps in a browser session, keyed by that page and kept in one place.

Every page's session state (its settings, its current job, its chosen model and image)
lives under keys that start with the page's key from :mod:`cnnviz.ui.common.navigation`
(``train_job_id``, ``transfer_saved_settings``...). Sections shared by several pages (the
progress of a training, the dataset picker) take the page's :class:`PageState`, so Transfer
learning never finds Train's job and a reload finds each page's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from cnnviz.ui.common import kept_settings
from cnnviz.ui.common.navigation import PAGES


class PageState:
    """The session state of one page.

    Args:
        page: a page key of :data:`cnnviz.ui.common.navigation.PAGES` (``"train"``).

    Raises:
        InputError: no such page.
    """

    def __init__(self, page: str) -> None:
        self.spec = PAGES.get(page)
        self.page = page

    @property
    def path(self) -> str:
        """The page's script (``pages/train.py``): jobs record it to be found again."""
        return self.spec.path

    def key(self, name: str) -> str:
        """The session-state key of ``name`` on this page (``train_job_id``)."""
        return f"{self.page}_{name}"

    def get(self, name: str, default: Any = None) -> Any:
        """What the page keeps under ``name``, or ``default``."""
        return st.session_state.get(self.key(name), default)

    def set(self, name: str, value: Any) -> None:
        """Keep ``value`` under ``name``."""
        st.session_state[self.key(name)] = value

    def pop(self, name: str, default: Any = None) -> Any:
        """Forget ``name``; returns what was kept."""
        return st.session_state.pop(self.key(name), default)

    def restore_settings(self, keys: Iterable[str]) -> None:
        """Write the page's kept widget values back (first thing on the page)."""
        kept_settings.restore(keys, self.key("saved_settings"))

    def remember_settings(self, keys: Iterable[str]) -> None:
        """Keep the page's widget values for later runs (last thing on the page)."""
        kept_settings.remember(keys, self.key("saved_settings"))
