"""What a page keeps is keyed by that page: one page never shows another page's job."""

import types

from streamlit.testing.v1 import AppTest

from cnnviz import training
from cnnviz.ui.train import jobs


def _script():
    import streamlit as st

    from cnnviz.ui.train.jobs import current_job

    for page in ("train", "transfer", "autoencoder"):
        job = current_job(page)
        st.write(f"{page}: {job.id if job else 'none'}")


def test_a_fresh_server_shows_each_page_only_its_own_job(monkeypatch):
    # A fresh server: no Transfer or Autoencoder job has started since it began, and the
    # workspace's latest job is a Train run (say, found again after a reload).
    train_job = types.SimpleNamespace(
        id="job-train-1", owner="ws-1", page="pages/train.py", created=1.0, done=True
    )
    monkeypatch.setattr(training, "jobs", lambda owner=None: [train_job])
    monkeypatch.setattr(training, "get_job", lambda job_id: None)
    monkeypatch.setattr(jobs, "session_id", lambda: "ws-1")
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert shown == ["train: job-train-1", "transfer: none", "autoencoder: none"]
