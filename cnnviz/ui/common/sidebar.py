"""The sidebar every page shares."""

import streamlit as st

from cnnviz.ui.common import startup
from cnnviz.ui.common.queue_place import QUEUE_POLL_SECONDS, queue_place
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain
from cnnviz.ui.common.workspace_ui import workspace_link_ui

LOADING_POLL_SECONDS = 2.0


def _loading_status() -> None:
    """What the start-up import is doing; the whole page reruns once it is done."""
    if startup.core_loaded():
        st.rerun()
    st.caption(f":material/hourglass_top: {startup.loading_message()}…")


def _job_links() -> None:
    """A link per unfinished job of this session to the page that started it, with its status."""
    from cnnviz import training

    for job in [j for j in training.jobs(session_id()) if not j.done]:
        status = job.status
        where = f"waiting, {queue_place(job)}" if status == "queued" else status
        page = getattr(job, "page", None) or "pages/train.py"  # the page that started it
        st.page_link(page, label=f"{plain(job.name)}: {where}", icon=":material/sync:")


def _training_status() -> None:
    """This session's unfinished training jobs and the device, once training has been used.

    The training module (and with it TensorFlow) is only looked at once the start-up import
    has finished (:mod:`cnnviz.ui.common.startup`): the sidebar never waits for it and never sees a
    half-imported module, and no job can exist before that import anyway.
    """
    if not startup.core_loaded():
        st.fragment(run_every=LOADING_POLL_SECONDS)(_loading_status)()
        return
    from cnnviz import training

    active = [job for job in training.jobs(session_id()) if not job.done]
    # While a job waits its place changes between full runs: read it again as often as the
    # progress section does, in the same words (queue_place), so the two never disagree.
    waiting = any(job.status == "queued" for job in active)
    st.fragment(run_every=QUEUE_POLL_SECONDS if waiting else None)(_job_links)()
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
