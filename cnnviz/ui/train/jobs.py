"""Training jobs a page starts and finds again: one per workspace, each page its own."""

from __future__ import annotations

import contextlib
import json

import streamlit as st

from cnnviz import architectures, datasets, limits, runs, training
from cnnviz.errors import InputError
from cnnviz.store import MAX_NAME_LENGTH
from cnnviz.training import TrainingConfig, TrainingJob, records
from cnnviz.ui.common.page_state import PageState
from cnnviz.ui.common.session import client_address, session_id, workspace
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.state import model_store


def _job_key(prefix: str) -> str:
    """The session-state key of a page's latest job (``train_job_id``)."""
    return PageState(prefix).key("job_id")


def start_job(
    ds: datasets.Dataset,
    cfg: TrainingConfig,
    prefix: str = "train",
    name: str | None = None,
    page: str | None = None,
) -> TrainingJob:
    """Start (or queue) a job owned by this workspace and remember its id.

    The workspace's limits are checked first: one running or queued job at a time, and
    room left in its disk quota. The job gets the server's time cap and a record on disk
    (so a restart shows it as interrupted, see :mod:`cnnviz.training.records`).

    Args:
        ds: the dataset to train on.
        cfg: a validated training config.
        prefix: the page's session-state prefix (its latest job is kept per prefix).
        name: the saved model's name (default: :func:`run_name` numbered after this
            session's stored models).
        page: the app page starting it (the sidebar links the job to it); by default the
            page named by ``prefix``.

    Raises:
        InputError: a limit is reached (the message says which and what to do).
    """
    number = training.next_number()  # place in line: the click, before the slow checks
    owner = session_id()
    limits.check_job_cap(sum(not j.done for j in training.jobs(owner)))
    store = model_store()
    ws = workspace()
    if ws is not None:
        # Room for the job's record: refused when the workspace, the server's budget or the
        # disk is full. A new workspace starts here (its folder), if this address may.
        with ws.reserve(records.RECORD_BYTES, store, client_address()):
            pass
    if name is None:
        name = run_name(ds, cfg, runs.next_run_number(store.list(owner)))
    seconds = limits.job_seconds(on_gpu=training.has_gpu())
    cap = records.TimeCap(seconds) if seconds else None
    job = TrainingJob(
        ds,
        cfg,
        store=store,
        owner=owner,
        name=name,
        page=page or PageState(prefix).path,
        callbacks=[cap] if cap else None,
        number=number,
    )
    if cap is not None:
        cap.job = job
    job.start()
    st.session_state[_job_key(prefix)] = job.id
    st.session_state[f"{prefix}_job_data"] = data_identity(ds)
    if ws is not None:
        with contextlib.suppress(OSError):  # a full disk must not stop the training itself
            records.track(job, ws.jobs_dir, cap)
    return job


def start_clicked(
    ds: datasets.Dataset,
    cfg: TrainingConfig | None,
    prefix: str = "train",
    name: str | None = None,
    page: str | None = None,
) -> None:
    """A Train button's callback: start the job, or keep the reason it was not started.

    Started in the click's callback, before the next run draws anything, so a student who
    clicks and switches page at once still gets the job. Arguments as :func:`start_job`.
    """
    st.session_state.pop(f"{prefix}_start_error", None)
    if cfg is None:
        st.session_state[f"{prefix}_start_error"] = "Fix the settings above first."
        return
    try:
        start_job(ds, cfg, prefix, name=name, page=page)
    except InputError as err:
        st.session_state[f"{prefix}_start_error"] = str(err)


def train_button(
    ds: datasets.Dataset,
    cfg: TrainingConfig | None,
    *,
    busy: bool,
    what: str,
    prefix: str = "train",
    name: str | None = None,
    page: str | None = None,
    disabled: bool = False,
) -> None:
    """The page's Train button (key ``{prefix}_start``) and, below it, why a click failed.

    The job starts in the click's callback (:func:`start_clicked`), before the next run
    draws anything: a student who clicks and switches page at once still gets the job.

    Args:
        ds: the dataset to train on.
        cfg: the training config, or None while the settings do not make one.
        prefix: the page's session-state prefix (the button's key is ``{prefix}_start``).
        name: the saved model's name (see :func:`start_job`).
        page: the app page starting it.
        busy: this page's job is still running or queued (the button is then disabled).
        what: the button's tooltip, what a click trains.
        disabled: another reason to disable it (settings that do not fit).
    """
    st.button(
        "Train",
        key=f"{prefix}_start",
        type="primary",
        icon=":material/model_training:",
        disabled=busy or disabled or cfg is None,
        on_click=start_clicked,
        args=(ds, cfg, prefix, name, page),
        help="One training at a time per workspace: stop the current one first." if busy else what,
    )
    start_error_ui(prefix)


def start_error_ui(prefix: str = "train") -> None:
    """Say why the last Train click did not start a job (shown until the next click)."""
    message = st.session_state.get(f"{prefix}_start_error")
    if message:
        st.error(plain(message), icon=":material/block:")


def data_identity(ds: datasets.Dataset) -> str:
    """Which data this is: the name and the options it was loaded with (an upload's own)."""
    options = json.dumps(dict(getattr(ds, "options", {}) or {}), sort_keys=True, default=str)
    return f"{ds.name}:{options}"


def forget_finished_job_on_other_data(ds: datasets.Dataset, prefix: str = "train") -> None:
    """After new data is chosen (or uploaded), stop showing the last job's finished results.

    A job still running stays shown: it keeps going, and can be stopped.
    """
    job = current_job(prefix)
    trained_on = st.session_state.get(f"{prefix}_job_data")
    if job is not None and job.done and trained_on not in (None, data_identity(ds)):
        st.session_state.pop(_job_key(prefix), None)
        st.session_state[f"{prefix}_hidden_job"] = job.id  # not found again by the registry


def run_name(ds: datasets.Dataset, cfg: TrainingConfig, number: int) -> str:
    """``"#3 MNIST CNN on shapes (lr 0.002 · batch 32 · 10 epochs)"``: runs told apart."""
    arch = cfg.architecture_name
    if arch in architectures.available():
        title = architectures.preset(arch).title
    else:
        title = "your network" if arch == "custom" else arch
    name = f"#{number} {title} on {ds.name} ({cfg.summary()})"
    return name if len(name) <= MAX_NAME_LENGTH else name[: MAX_NAME_LENGTH - 2] + "…)"


def current_job(prefix: str = "train") -> TrainingJob | None:
    """This workspace's latest job from the page with this prefix, if the server knows it.

    After a reload (a new browser session in the same workspace) the job is found through
    the registry by its owner, so its progress, Stop button and queue place come back.
    """
    key = _job_key(prefix)
    owner = session_id()
    job = training.get_job(st.session_state.get(key))
    if job is not None and job.owner == owner:
        return job
    # A page finds its own jobs only (each job records the page that started it).
    page = PageState(prefix).path
    hidden = st.session_state.get(f"{prefix}_hidden_job")
    owned = [j for j in training.jobs(owner) if j.page == page and not (j.done and j.id == hidden)]
    if not owned:
        st.session_state.pop(key, None)
        return None
    latest = max(owned, key=lambda j: j.created)
    st.session_state[key] = latest.id
    return latest


def interrupted_jobs_ui() -> None:
    """Jobs of this workspace that a server restart interrupted, each with a dismiss button."""
    ws = workspace()
    if ws is None:
        return
    for record in records.read_records(ws.jobs_dir):
        if record.get("status") != "interrupted":
            continue
        with st.container(border=True):
            st.warning(
                f"{plain(record.get('name', 'A training'))}: {record['message']}",
                icon=":material/restart_alt:",
            )
            st.button(
                "Dismiss",
                key=f"train_dismiss_{record['id']}",
                on_click=records.dismiss,
                args=(ws.jobs_dir, record["id"]),
            )
