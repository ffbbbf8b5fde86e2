"""The sidebar every page shares."""

import sys

import streamlit as st

from cnnviz.ui.session import session_id
from cnnviz.ui.text import plain
from cnnviz.ui.workspace_ui import workspace_link_ui


def _training_status() -> None:
    """This session's unfinished training jobs and the device, once training has been used.

    The training module (and with it TensorFlow) is only looked at when a page has already
    imported it: the Home page stays quick, and no job can exist before that import anyway.
    """
    training = sys.modules.get("cnnviz.training")
    if training is None:
        return
    active = [job for job in training.jobs(session_id()) if not job.done]
    for job in active:
        if job.status == "queued":
            where = f"waiting, position {job.queue_position} in the queue"
        else:
            where = job.status
        page = getattr(job, "page", None) or "pages/train.py"  # the page that started it
        st.page_link(page, label=f"{plain(job.name)}: {where}", icon=":material/sync:")
    st.caption(f"Device: {training.detect_device()}")


def render_sidebar() -> None:
    """Draw the shared sidebar: what cnnviz is, this session's jobs and where work lives."""
    with st.sidebar:
        _training_status()
        workspace_link_ui()
        st.caption(
            "cnnviz · explore convolutional neural networks. Everything runs on this server; "
            "your uploads and models are visible only in your workspace (your link)."
        )
