"""The sidebar's "Your link" control, and the server's housekeeping of workspaces."""

from __future__ import annotations

import streamlit as st

from cnnviz import workspaces
from cnnviz.store import ModelStore
from cnnviz.ui.common.session import workspace_id, workspace_link, workspace_notice


def workspace_link_ui() -> None:
    """Show this workspace's link to copy, and any notice about the workspace.

    Also lets the server clean up stale workspaces and crash leftovers (at most hourly).
    """
    key = workspace_id()
    notice = workspace_notice()
    if notice:
        st.warning(notice, icon=":material/key_off:")
    with st.expander("Your link", icon=":material/link:"):
        st.caption(
            "Bookmark or copy this link to come back to your models and training later, on "
            "any computer. Anyone with the link can see and change your work, so share it "
            "only with people you trust."
        )
        st.code(workspace_link(), language=None, wrap_lines=True)
    if workspaces.is_valid_key(key):
        workspaces.maybe_cleanup(ModelStore())
