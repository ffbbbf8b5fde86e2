"""Live progress of a training job: poll its events, draw its curves (shared by watchers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import streamlit as st

from cnnviz import training
from cnnviz.training import (
    BatchEnd,
    EpochEnd,
    Extracting,
    JobStarted,
    TrainingJob,
    executors,
    records,
)
from cnnviz.ui.common import training_plots
from cnnviz.ui.common.queue_place import queue_place
from cnnviz.ui.common.text import duration, plain
from cnnviz.ui.train.state import (
    POLL_QUEUED_SECONDS,
    POLL_SECONDS,
    widget_default,
)

# Figures of running jobs, shared by every browser that watches them: built at most about
# once per poll interval per job, however many students watch.
_FIGURES: dict[tuple, tuple[float, int, object]] = {}
_FIGURES_LOCK = threading.Lock()
_FIGURES_KEPT = 32


def shared_figure(job: TrainingJob, kind: str, events: Sequence, options: tuple, build: Callable):
    """A figure of a job's events, built once and shared by all sessions that watch it.

    A cached figure is reused when no event came since it was built or, while the job
    runs, when it is younger than the poll interval: ten browsers polling every second
    cost one figure build a second, not ten. A finished job's figure always shows every
    event.

    Args:
        job: the job whose events are drawn.
        kind: which figure (part of the cache key).
        events: the job's events so far.
        options: what else the figure depends on (part of the key), e.g. the smoothing.
        build: ``build(events) -> figure``.
    """
    key = (job.id, kind, options)
    now = time.monotonic()
    with _FIGURES_LOCK:
        hit = _FIGURES.get(key)
    if hit is not None:
        built, count, fig = hit
        if count == len(events) or (not job.done and now - built < 0.9 * POLL_SECONDS):
            return fig
    fig = build(events)
    with _FIGURES_LOCK:
        _FIGURES[key] = (now, len(events), fig)
        while len(_FIGURES) > _FIGURES_KEPT:  # oldest first (dicts keep insertion order)
            del _FIGURES[next(iter(_FIGURES))]
    return fig


def _queued_body(job: TrainingJob, prefix: str) -> None:
    running, _ = training.SCHEDULER.counts()
    where = executors.get(job.executor_key).describe()
    st.info(
        f"Waiting for a free training slot: you are **{queue_place(job)}**, with {running} "
        f"training job(s) running on {plain(where)}. It starts by itself; you may visit "
        "other pages meanwhile.",
        icon=":material/hourglass_top:",
    )
    st.button("Stop", key=f"{prefix}_stop", on_click=job.stop, icon=":material/stop_circle:")


def _progress_body(job_id: str, prefix: str) -> None:
    job = training.get_job(job_id)
    if job is None:
        st.info("This training job is no longer on the server.")
        return
    status = job.status
    polled_as = st.session_state.get(f"{prefix}_polled_as")
    if polled_as == "queued" and status != "queued":
        st.rerun()  # it left the queue: poll at the running pace from now on
    if status == "queued":
        _queued_body(job, prefix)  # cheap: no events, no figures
        return
    events = job.events()
    started = next((e for e in events if isinstance(e, JobStarted)), None)
    last_batch = job.latest(BatchEnd)
    last_epoch = job.latest(EpochEnd)
    extracting = job.latest(Extracting)
    if extracting is not None and not job.done and (started is None or last_batch is None):
        if extracting.cached:
            text = f"Features of the {extracting.split} images read from the cache"
        else:
            text = (
                f"Running the pretrained base over the {extracting.split} images: "
                f"{extracting.done:,} of {extracting.total:,} · "
                f"{extracting.images_per_sec:,.0f} images/s"
            )
        st.progress(extracting.done / max(1, extracting.total), text=text)
    if started:
        st.caption(
            f"**{plain(job.name)}** · on {plain(job.where)} · device: **{started.device}**"
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
        latest = next((e for e in reversed(events) if isinstance(e, (BatchEnd, EpochEnd))), None)
        if latest is not None:
            eta = latest.eta
        label = {
            "running": f"Training… epoch {max(1, last_batch.epoch if last_batch else 1)} of "
            f"{started.epochs} · about {duration(eta)} left",
            "stopping": "Stopping after this batch…",
            "finished": "Finished",
            "stopped": "Stopped",
            "failed": "Failed",
        }.get(status, status)
        st.progress(min(1.0, max(0.0, fraction)), text=label)
        # An autoencoder has a reconstruction loss and no accuracy.
        has_accuracy = getattr(job.config, "autoencoder", None) is None
        cols = st.columns(5 if has_accuracy else 3)
        val_loss = last_epoch.val_loss if last_epoch else None
        val_loss_text = f"{val_loss:.4f}" if val_loss is not None else "—"
        if has_accuracy:
            cols[0].metric("Training loss", f"{last_epoch.loss:.3f}" if last_epoch else "…")
            acc = f"{last_epoch.accuracy:.1%}" if last_epoch else "…"
            cols[1].metric("Training accuracy", acc)
            val_acc = last_epoch.val_accuracy if last_epoch else None
            cols[2].metric("Validation loss", f"{val_loss:.3f}" if val_loss is not None else "—")
            cols[3].metric("Validation accuracy", f"{val_acc:.1%}" if val_acc is not None else "—")
        else:
            loss = f"{last_epoch.loss:.4f}" if last_epoch else "…"
            cols[0].metric("Training reconstruction loss", loss)
            cols[1].metric("Validation reconstruction loss", val_loss_text)
        speed = last_batch.images_per_sec if last_batch else 0.0
        cols[-1].metric("Images / second", f"{speed:,.0f}" if speed else "…")
        smoothing = st.slider(
            "Smoothing of the per-batch line",
            0.0,
            0.95,
            step=0.05,
            key=widget_default(f"{prefix}_smoothing", 0.6),
        )
        curves = shared_figure(
            job,
            "curves",
            events,
            (float(smoothing), started.epochs, has_accuracy),
            lambda evs: training_plots.curves_figure(
                evs, smoothing, started.epochs, accuracy=has_accuracy
            ),
        )
        st.plotly_chart(curves, key=f"{prefix}_curves")
        with st.expander("Throughput"):
            build = training_plots.throughput_figure
            throughput = shared_figure(job, "throughput", events, (), build)
            st.plotly_chart(throughput, key=f"{prefix}_throughput")
    if status in ("queued", "running"):
        st.button("Stop", key=f"{prefix}_stop", on_click=job.stop, icon=":material/stop_circle:")
    if status == "failed":
        st.error(plain(job.error or "Training failed."), icon=":material/block:")
    elif job.done and isinstance(events[-1], (training.Finished, training.Stopped)):
        st.success(plain(events[-1].message), icon=":material/check_circle:")
    reason = records.stop_reason(job) if job.done else None
    if reason:
        st.warning(reason, icon=":material/timer_off:")
    if job.done and st.session_state.get(f"{prefix}_shown_done") != job.id:
        # The page drew this job while it ran: redraw it whole once to show the results.
        st.session_state[f"{prefix}_shown_done"] = job.id
        st.rerun()


def progress_ui(job_id: str, prefix: str = "train") -> None:
    """Live progress of a job: polled every second while it runs, static afterwards.

    A queued job is polled every few seconds and shows only its place in the queue.

    Args:
        job_id: the job's registry id.
        prefix: start of this section's session-state keys (one per page that shows it).
    """
    job = training.get_job(job_id)
    active = job is not None and not job.done
    if not active and job is not None:
        st.session_state[f"{prefix}_shown_done"] = job.id
    queued = active and job.status == "queued"
    st.session_state[f"{prefix}_polled_as"] = "queued" if queued else "running"
    every = (POLL_QUEUED_SECONDS if queued else POLL_SECONDS) if active else None
    st.fragment(run_every=every)(_progress_body)(job_id, prefix)
