"""Which workspace is this browser in? Models, uploads and jobs are owned by its key.

The key lives in the page URL (``?ws=<key>``), so a reload, a bookmark or the same link on
another machine opens the same workspace. It is put back into the URL on every script run:
switching pages through the navigation menu drops query parameters. Without a key (or with
a malformed one) a new key is made; its folder on disk comes with its first save.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from cnnviz import workspaces
from cnnviz.errors import InputError

PARAM = "ws"
# Kept under its historic name: tests and helpers set it to act as a given workspace.
_KEY = "cnnviz_session_id"
_NOTICE = "cnnviz_workspace_notice"


def workspace_id() -> str:
    """The key of this browser's workspace: from the URL, else this session, else new.

    A malformed key in the URL is refused: a new workspace is made and a notice says so
    (see :func:`workspace_notice`).
    """
    state = st.session_state
    from_url = st.query_params.get(PARAM)
    key = state.get(_KEY)
    if from_url and from_url != key:
        if workspaces.is_valid_key(from_url):
            key = from_url
        else:
            state[_NOTICE] = (
                "The workspace key in this link is not valid, so a new, empty workspace was "
                "made for you. If you expected your work here, check that you copied the "
                "whole link."
            )
    if not key:
        key = workspaces.new_key()
    state[_KEY] = key
    if from_url != key:
        st.query_params[PARAM] = key
    # A key set by a test, or a read-only disk: the page still works.
    with contextlib.suppress(InputError, OSError):
        workspaces.Workspace(key).touch()
    return key


# Every page and helper asks for "the session id"; it is now the workspace key.
session_id = workspace_id


def workspace() -> workspaces.Workspace | None:
    """This browser's :class:`cnnviz.workspaces.Workspace` (None for a test's plain owner id)."""
    try:
        return workspaces.Workspace(workspace_id())
    except InputError:
        return None


THIS_MACHINE = "this machine"
"""The address of a browser on the server's own machine (no proxy header)."""


def client_address() -> str | None:
    """The address this browser reached the server from, for the limit on new workspaces.

    Streamlit's ``st.context.ip_address`` (a public API), which is None when the
    browser runs on the server's machine. A connection from this machine that a reverse
    proxy made for a browser elsewhere carries the browser's address in ``X-Real-IP`` or as
    the last entry of ``X-Forwarded-For`` (the one the proxy added); it is trusted only
    then, since any browser can send such headers. Any other browser on this machine counts
    as :data:`THIS_MACHINE` (one count for all of them: the limit holds for a script that
    opens workspaces from the server itself too). None: no browser at all (a script or a
    test), not limited.
    """
    try:
        address = st.context.ip_address
        headers = st.context.headers
    except AttributeError:  # an older Streamlit, or no browser (a test)
        return None
    if address:
        return str(address)
    forwarded = headers.get("X-Real-IP") or (headers.get("X-Forwarded-For") or "").split(",")[-1]
    return forwarded.strip() or THIS_MACHINE


def workspace_notice() -> str | None:
    """A message about the workspace to show once (e.g. a malformed key was refused)."""
    return st.session_state.pop(_NOTICE, None)


def workspace_link(base_url: str | None = None) -> str:
    """The link that reopens this workspace (the app's address with ``?ws=<key>``)."""
    base = base_url if base_url is not None else _app_url()
    return f"{base}?{PARAM}={workspace_id()}"


def _app_url() -> str:
    """The address the browser used for this page, without its query string."""
    try:
        url = st.context.url  # public since Streamlit 1.46
    except AttributeError:
        url = None
    return (url or "").split("?", 1)[0]
