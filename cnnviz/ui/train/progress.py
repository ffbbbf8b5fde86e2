"""Live progress of a training job: start it, find it again, poll its events."""

from __future__ import annotations

import json
import math

import streamlit as st

from cnnviz import architectures, datasets, training
from cnnviz.store import MAX_NAME_LENGTH
from cnnviz.training import (
    BatchEnd,
    EpochEnd,
    JobStarted,
    TrainingConfig,
    TrainingJob,
)
from cnnviz.ui import training_plots
from cnnviz.ui.session import session_id
from cnnviz.ui.train.state import JOB_KEY, POLL_SECONDS, _default, model_store


def _job_key(prefix: str) -> str:
    return JOB_KEY if prefix == "train" else f"{prefix}_job_id"


def start_job(
    ds: datasets.Dataset, cfg: TrainingConfig, prefix: str = "train", name: str | None = None
) -> TrainingJob:
    """Start (or queue) a job owned by this session and remember its id.

    Args:
        ds: the dataset to train on.
        cfg: a validated training config.
        prefix: the page's session-state prefix (its latest job is kept per prefix).
        name: the saved model's name (default: :func:`run_name` numbered after this
            session's stored models).
    """
    if name is None:
        name = run_name(ds, cfg, len(model_store().list(session_id())) + 1)
    job = TrainingJob(ds, cfg, store=model_store(), owner=session_id(), name=name)
    job.start()
    st.session_state[_job_key(prefix)] = job.id
    st.session_state[f"{prefix}_job_data"] = data_identity(ds)
    return job


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
    """This session's latest job started from the page with this prefix, if still known."""
    return training.get_job(st.session_state.get(_job_key(prefix)))


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "…"
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _progress_body(job_id: str, prefix: str) -> None:
    job = training.get_job(job_id)
    if job is None:
        st.info("This training job is no longer on the server.")
        return
    events = job.events()
    status = job.status
    started = next((e for e in events if isinstance(e, JobStarted)), None)
    if status == "queued":
        running, _ = training.SCHEDULER.counts()
        st.info(
            f"Waiting for a free training slot: you are number **{job.queue_position}** in "
            f"the queue ({running} training job(s) running on this server). It starts by "
            "itself; you may visit other pages meanwhile.",
            icon=":material/hourglass_top:",
        )
    last_batch = job.latest(BatchEnd)
    last_epoch = job.latest(EpochEnd)
    if started:
        st.caption(
            f"**{job.name}** · device: **{started.device}**"
            + (" · mixed precision" if started.mixed_precision else "")
            + f" · {started.params:,} parameters · {started.train_samples:,} training / "
            f"{started.val_samples:,} validation images · batch {started.batch_size}"
        )
        done_epochs = last_epoch.epoch if last_epoch else 0
        fraction = done_epochs / started.epochs
        if last_batch and last_batch.epoch > done_epochs:
            fraction = ((last_batch.epoch - 1) + last_batch.batch / last_batch.steps) / (
                started.epochs
            )
        if job.done:
            fraction = 1.0 if status == "finished" else fraction
        eta = None
        latest = max(
            (e for e in (last_batch, last_epoch) if e is not None),
            key=lambda e: events.index(e),
            default=None,
        )
        if latest is not None:
            eta = latest.eta
        label = {
            "running": f"Training… epoch {max(1, last_batch.epoch if last_batch else 1)} of "
            f"{started.epochs} · about {_fmt_seconds(eta)} left",
            "stopping": "Stopping after this batch…",
            "finished": "Finished",
            "stopped": "Stopped",
            "failed": "Failed",
        }.get(status, status)
        st.progress(min(1.0, max(0.0, fraction)), text=label)
        cols = st.columns(5)
        cols[0].metric("Training loss", f"{last_epoch.loss:.3f}" if last_epoch else "…")
        cols[1].metric("Training accuracy", f"{last_epoch.accuracy:.1%}" if last_epoch else "…")
        val_loss = last_epoch.val_loss if last_epoch else None
        val_acc = last_epoch.val_accuracy if last_epoch else None
        cols[2].metric("Validation loss", f"{val_loss:.3f}" if val_loss is not None else "—")
        cols[3].metric("Validation accuracy", f"{val_acc:.1%}" if val_acc is not None else "—")
        speed = last_batch.images_per_sec if last_batch else 0.0
        cols[4].metric("Images / second", f"{speed:,.0f}" if speed else "…")
        smoothing = st.slider(
            "Smoothing of the per-batch line",
            0.0,
            0.95,
            step=0.05,
            key=_default(f"{prefix}_smoothing", 0.6),
        )
        st.plotly_chart(
            training_plots.curves_figure(events, smoothing, started.epochs), key=f"{prefix}_curves"
        )
        with st.expander("Throughput"):
            st.plotly_chart(training_plots.throughput_figure(events), key=f"{prefix}_throughput")
    if status in ("queued", "running"):
        st.button("Stop", key=f"{prefix}_stop", on_click=job.stop, icon=":material/stop_circle:")
    if status == "failed":
        st.error(job.error or "Training failed.", icon=":material/block:")
    elif job.done and isinstance(events[-1], (training.Finished, training.Stopped)):
        st.success(events[-1].message, icon=":material/check_circle:")
    if job.done and st.session_state.get(f"{prefix}_shown_done") != job.id:
        # The page drew this job while it ran: redraw it whole once to show the results.
        st.session_state[f"{prefix}_shown_done"] = job.id
        st.rerun()


def progress_ui(job_id: str, prefix: str = "train") -> None:
    """Live progress of a job: polled every second while it runs, static afterwards.

    Args:
        job_id: the job's registry id.
        prefix: start of this section's session-state keys (one per page that shows it).
    """
    job = training.get_job(job_id)
    active = job is not None and not job.done
    if not active and job is not None:
        st.session_state[f"{prefix}_shown_done"] = job.id
    st.fragment(run_every=POLL_SECONDS if active else None)(_progress_body)(job_id, prefix)
