"""Streamlit pieces of the Train page: data, network, settings, live progress, results, store.

Each ``*_ui`` function draws one section and returns what the page needs next; the work is
done by :mod:`cnnviz.datasets`, :mod:`cnnviz.architectures`, :mod:`cnnviz.training`,
:mod:`cnnviz.evaluation` and :mod:`cnnviz.store`. Session-state keys start with ``train_``.
A running job is found again through its id (``st.session_state[JOB_KEY]``), so it keeps
running, and is shown again, when the student comes back from another page.
"""

from __future__ import annotations

import hashlib
import json
import math
import re

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import architectures, config, datasets, preprocessing, training
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.training import (
    Augmentation,
    BatchEnd,
    EpochEnd,
    JobStarted,
    TrainingConfig,
    TrainingJob,
)
from cnnviz.ui import training_plots
from cnnviz.ui.session import session_id

JOB_KEY = "train_job_id"
ZIP_CHOICE = "__zip__"
POLL_SECONDS = 1.0
BATCH_SIZES = [8, 16, 32, 64, 128, 256]
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 0.1]
PREPROCESSINGS = {
    "unit": ("0..1 (pixels / 255)", preprocessing.unit),
    "tf": ("-1..1 (MobileNet, Inception)", preprocessing.tf_mode),
    "torch": ("ImageNet mean/std (PyTorch style)", preprocessing.torch_mode),
    "caffe": ("BGR minus ImageNet means (VGG, ResNet)", preprocessing.caffe_mode),
    "raw": ("0..255 unchanged", preprocessing.raw),
}
SPEC_COLUMNS = ["type", "filters", "kernel", "stride", "padding", "activation", "rate", "units"]


# Widget values worth keeping while the student visits other pages (Streamlit forgets the
# state of widgets that a run did not draw).
PERSISTENT_KEYS = (
    "train_dataset",
    "train_opt_shapes_size",
    "train_opt_shapes_n",
    "train_opt_shapes_noise",
    "train_opt_digits_size",
    "train_opt_faces_size",
    "train_opt_mnist_n",
    "train_opt_fashion_mnist_n",
    "train_opt_cifar10_n",
    "train_arch",
    "train_custom",
    "train_epochs",
    "train_batch",
    "train_lr",
    "train_optimizer",
    "train_schedule",
    "train_val",
    "train_dropout_on",
    "train_dropout",
    "train_patience",
    "train_seed",
    "train_flip",
    "train_rotation",
    "train_shift",
    "train_zoom",
    "train_contrast",
    "train_smoothing",
    "train_cm_normalize",
)
_SAVED_KEY = "train_saved_settings"


def restore_settings() -> None:
    """Bring back the settings of the last visit (call first thing on the page)."""
    state = st.session_state
    for key, value in state.get(_SAVED_KEY, {}).items():
        if key not in state:
            state[key] = value
    if "train_spec_editor" not in state and "train_spec_saved" in state:
        state["train_spec_base"] = state["train_spec_saved"]


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    state = st.session_state
    state[_SAVED_KEY] = {k: state[k] for k in PERSISTENT_KEYS if k in state}


def model_store() -> ModelStore:
    """The server's model store (read at call time, so ``CNNVIZ_HOME`` may change)."""
    return ModelStore()


def enlarge(images: np.ndarray, side: int = 64) -> np.ndarray:
    """Nearest-neighbour enlargement so small images stay crisp on screen.

    Args:
        images: (N, H, W, C) uint8, C = 1 or 3.
        side: target height in pixels (images already this large are kept).

    Returns:
        (N, h, w, 3) uint8.
    """
    rgb = datasets.to_rgb(images)
    if len(rgb) == 0 or rgb.shape[1] >= side:
        return rgb
    factor = max(1, round(side / rgb.shape[1]))
    return np.stack(
        [
            cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
            for img in rgb
        ]
    )


# ---------------------------------------------------------------------------- data


@st.cache_resource(show_spinner=False, max_entries=8)
def _cached_dataset(name: str, options_json: str, _progress=None) -> datasets.Dataset:
    """Built-in datasets are shared read-only by every session."""
    return datasets.load(name, **json.loads(options_json), progress=_progress)


def _default(key: str, value) -> str:
    """Give a widget its first value through session state; returns the key.

    Widgets then get no ``value=``, so a value restored from an earlier visit never clashes
    with a default.
    """
    st.session_state.setdefault(key, value)
    return key


def _dataset_options_ui(info: datasets.DatasetInfo) -> dict:
    """Widgets for the options of one built-in dataset; returns the options to load with."""
    name = info.name
    options: dict = {}
    if name == "shapes":
        c1, c2, c3 = st.columns(3)
        options["image_size"] = c1.select_slider(
            "Image size", [24, 32, 48, 64], key=_default("train_opt_shapes_size", 32)
        )
        options["n_train"] = c2.select_slider(
            "Training images",
            [600, 1200, 2400, 4800, 9600],
            key=_default("train_opt_shapes_n", 4800),
            help="More images: slower epochs, better accuracy.",
        )
        options["noise"] = c3.slider(
            "Noise", 0.0, 0.3, step=0.01, key=_default("train_opt_shapes_noise", 0.05)
        )
        options["n_test"] = max(300, options["n_train"] // 4)
    elif name in ("digits", "faces"):
        native = 8 if name == "digits" else 25
        options["upscale"] = st.select_slider(
            "Image size (upscaled)",
            [native, 28, 32, 48],
            key=_default(f"train_opt_{name}_size", 28 if name == "digits" else 32),
        )
        if options["upscale"] == native:
            options["upscale"] = None
    else:
        options["n_train"] = st.select_slider(
            "Training images (a random subset trains faster)",
            [5000, 10000, 20000, 50000, "all"],
            key=_default(f"train_opt_{name}_n", "all"),
        )
        if options["n_train"] == "all":
            options["n_train"] = None
    return options


def _load_builtin(info: datasets.DatasetInfo, options: dict) -> datasets.Dataset | None:
    key = json.dumps(options, sort_keys=True)
    if not info.cached:
        st.info(
            f"{info.title} is downloaded once (about {info.download_mb:.0f} MB) into the "
            "Keras cache; this needs an internet connection.",
            icon=":material/download:",
        )
        if not st.button(f"Download {info.title}", key=f"train_download_{info.name}"):
            return None
        bar = st.progress(0.0, text="Downloading…")

        def progress(fraction, message):
            bar.progress(min(1.0, fraction or 0.0), text=str(message))

        return _cached_dataset(info.name, key, progress)
    with st.spinner(f"Loading {info.title}…"):
        return _cached_dataset(info.name, key)


def _zip_ui() -> datasets.Dataset | None:
    st.caption(
        "A .zip with one folder per class (`cats/…`, `dogs/…`), or `train/<class>/…` with "
        "optional `validation/` and `test/` folders. At least two classes and a few images "
        "each."
    )
    upload = st.file_uploader("Your images (.zip)", type=["zip"], key="train_zip_upload")
    if upload is None:
        return None
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    if st.session_state.get("train_zip_digest") != digest:
        st.session_state.pop("train_zip_dataset", None)
        st.session_state["train_zip_digest"] = digest
        workdir = config.home() / "uploads" / session_id() / digest
        try:
            with st.spinner("Checking and decoding the images…"):
                st.session_state["train_zip_dataset"] = datasets.from_zip(data, workdir)
            st.session_state.pop("train_zip_error", None)
        except InputError as err:
            st.session_state["train_zip_error"] = str(err)
    if "train_zip_error" in st.session_state:
        st.error(st.session_state["train_zip_error"], icon=":material/block:")
        return None
    return st.session_state.get("train_zip_dataset")


def dataset_ui() -> datasets.Dataset | None:
    """Pick a dataset (built-in or a .zip upload); returns it loaded, or None."""
    infos = {i.name: i for i in datasets.available()}
    choices = [*infos, ZIP_CHOICE]

    def label(name: str) -> str:
        if name == ZIP_CHOICE:
            return "Your own images (.zip upload)"
        info = infos[name]
        suffix = "" if info.cached else f" · download {info.download_mb:.0f} MB"
        return info.title + suffix

    name = st.selectbox("Dataset", choices, format_func=label, key="train_dataset")
    if name == ZIP_CHOICE:
        return _zip_ui()
    info = infos[name]
    st.caption(info.description)
    options = _dataset_options_ui(info)
    try:
        return _load_builtin(info, options)
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return None


def is_zip_choice() -> bool:
    """True when the student picked their own .zip upload."""
    return st.session_state.get("train_dataset") == ZIP_CHOICE


def dropout_override() -> float | None:
    """The dropout rate chosen in the settings, or None when not overridden."""
    if st.session_state.get("train_dropout_on"):
        return float(st.session_state.get("train_dropout", 0.3))
    return None


def dataset_preview_ui(ds: datasets.Dataset, per_class: int = 8, max_classes: int = 12) -> None:
    """Sample grid per class, class distribution and image size."""
    h, w, c = ds.input_shape
    n_val = 0 if ds.x_val is None else len(ds.x_val)
    st.caption(
        f"**{ds.name}**: {len(ds.x_train):,} training"
        + (f", {n_val:,} validation" if n_val else "")
        + f" and {len(ds.x_test):,} test images of {h}×{w} pixels, "
        + ("colour (RGB)" if c == 3 else "grayscale")
        + f", {ds.num_classes} classes."
    )
    for note in getattr(ds, "notes", []) or []:
        st.caption(f"ℹ️ {note}")
    grid, chart = st.columns([3, 2])
    with grid:
        samples = ds.sample_indices(per_class=per_class, seed=0)
        for k, (cls, idx) in enumerate(samples.items()):
            if k >= max_classes:
                st.caption(f"… and {ds.num_classes - max_classes} more classes.")
                break
            left, right = st.columns([1, 6], vertical_alignment="center")
            left.markdown(f"**{cls}**")
            if len(idx):
                right.image(list(enlarge(ds.x_train[idx], 48)), width=48)
    with chart:
        counts = {"train": ds.class_counts("train")}
        if ds.x_val is not None:
            counts["validation"] = ds.class_counts("val")
        counts["test"] = ds.class_counts("test")
        st.plotly_chart(training_plots.class_distribution_figure(counts), key="train_class_counts")


# ---------------------------------------------------------------------------- network


def _spec_from_editor(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if isinstance(value, np.generic):
                value = value.item()
            row[key] = value
        if row:
            rows.append(row)
    return rows


def architecture_ui(ds: datasets.Dataset, dropout: float | None) -> tuple[str | list, bool]:
    """Pick a preset or edit the layer table, with a live summary table.

    Args:
        ds: the dataset (its input shape and class count shape the network).
        dropout: the dropout override of the settings (None: keep the architecture's).

    Returns:
        (architecture, ok): a preset name or a layer spec, and whether it fits the data.
    """
    names = architectures.available()
    preset = st.selectbox(
        "Architecture",
        names,
        format_func=lambda n: architectures.preset(n).title,
        key="train_arch",
    )
    info = architectures.preset(preset)
    st.caption(info.description)
    custom = st.toggle(
        "Edit the layers",
        key="train_custom",
        help="Start from this preset and change, add or remove layers. The output layer is "
        "added for you.",
    )
    if custom:
        if st.session_state.get("train_spec_for") != preset:
            st.session_state["train_spec_for"] = preset
            st.session_state["train_spec_base"] = pd.DataFrame(
                architectures.preset_spec(preset), columns=SPEC_COLUMNS
            )
            st.session_state.pop("train_spec_editor", None)
        col = st.column_config
        frame = st.data_editor(
            st.session_state["train_spec_base"],
            num_rows="dynamic",
            hide_index=True,
            key="train_spec_editor",
            column_config={
                "type": col.SelectboxColumn("type", options=architectures.LAYER_TYPES),
                "filters": col.NumberColumn("filters", min_value=1, max_value=1024, step=1),
                "kernel": col.NumberColumn("kernel", min_value=1, max_value=15, step=1),
                "stride": col.NumberColumn("stride", min_value=1, max_value=8, step=1),
                "padding": col.SelectboxColumn("padding", options=architectures.PADDINGS),
                "activation": col.SelectboxColumn("activation", options=architectures.ACTIVATIONS),
                "rate": col.NumberColumn("dropout rate", min_value=0.0, max_value=0.95),
                "units": col.NumberColumn("units", min_value=1, max_value=8192, step=1),
            },
        )
        st.session_state["train_spec_saved"] = frame
        spec = _spec_from_editor(frame)
        architecture: str | list = spec
    else:
        spec = architectures.preset_spec(preset)
        architecture = preset
    if dropout is not None:
        spec = architectures.apply_hyperparameters(spec, dropout=dropout)
    problems = architectures.validate_spec(spec, ds.input_shape, ds.num_classes)
    if problems:
        for problem in problems:
            st.warning(problem, icon=":material/warning:")
        return architecture, False
    table = architectures.spec_summary(spec, ds.input_shape, ds.num_classes)
    total = sum(r["params"] for r in table)
    with st.expander(f"Summary: {len(table) - 1} layers, {total:,} parameters", expanded=custom):
        st.dataframe(
            pd.DataFrame(table),
            hide_index=True,
            column_config={
                "params": st.column_config.NumberColumn("parameters", format="localized")
            },
        )
    return architecture, True


# ---------------------------------------------------------------------------- settings


def _defaults_to_state(cfg: TrainingConfig) -> None:
    """Put a config's values into the settings widgets (before they are drawn)."""
    state = st.session_state
    state["train_epochs"] = int(cfg.epochs)
    state["train_batch"] = int(cfg.batch_size)
    state["train_lr"] = float(cfg.learning_rate)
    state["train_optimizer"] = cfg.optimizer
    state["train_schedule"] = cfg.schedule
    state["train_val"] = float(cfg.validation_split)
    state["train_dropout_on"] = cfg.dropout is not None
    state["train_dropout"] = 0.3 if cfg.dropout is None else float(cfg.dropout)
    state["train_patience"] = int(cfg.early_stopping)
    state["train_seed"] = int(cfg.seed)
    aug = cfg.augmentation
    state["train_flip"] = aug.flip
    state["train_rotation"] = float(aug.rotation)
    state["train_shift"] = float(aug.shift)
    state["train_zoom"] = float(aug.zoom)
    state["train_contrast"] = float(aug.contrast)
    if isinstance(cfg.architecture, str):
        state["train_arch"] = cfg.architecture


def apply_recommended(dataset_name: str) -> None:
    """Reset the settings to the tuned defaults when the dataset changes."""
    if st.session_state.get("train_defaults_for") != dataset_name:
        st.session_state["train_defaults_for"] = dataset_name
        _defaults_to_state(training.recommended_config(dataset_name))


def hyperparameters_ui() -> dict:
    """Optimizer, learning rate, batch size, epochs, validation, dropout, early stopping, seed.

    Returns:
        Keyword arguments for :class:`TrainingConfig` (without architecture and augmentation).
    """
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input("Epochs", 1, 200, key="train_epochs")
    batch = c2.selectbox("Batch size", BATCH_SIZES, key="train_batch")
    lr = c3.select_slider(
        "Learning rate", LEARNING_RATES, key="train_lr", format_func=lambda v: f"{v:g}"
    )
    optimizer = c4.selectbox(
        "Optimizer",
        list(training.OPTIMIZERS),
        key="train_optimizer",
        format_func=lambda o: {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD + momentum"}[o],
    )
    c1, c2, c3, c4 = st.columns(4)
    val = c1.slider(
        "Validation share",
        0.0,
        0.5,
        step=0.05,
        key="train_val",
        help="Part of the training images held out to watch for overfitting (ignored when "
        "the dataset has its own validation folder).",
    )
    with c2:
        dropout_on = st.toggle("Override dropout", key="train_dropout_on")
        dropout = st.slider(
            "Dropout rate", 0.0, 0.8, step=0.05, key="train_dropout", disabled=not dropout_on
        )
    patience = c3.number_input(
        "Early stopping (patience, 0 = off)",
        0,
        50,
        key="train_patience",
        help="Stop when the validation loss has not improved for this many epochs, and keep "
        "the best weights.",
    )
    with c4:
        schedule = st.selectbox(
            "Learning-rate schedule",
            list(training.SCHEDULES),
            key="train_schedule",
            format_func=lambda s: {"cosine": "cosine decay", "constant": "constant"}[s],
        )
        seed = st.number_input("Seed", 0, 2**31 - 1, key="train_seed")
    return {
        "epochs": int(epochs),
        "batch_size": int(batch),
        "learning_rate": float(lr),
        "optimizer": optimizer,
        "validation_split": float(val),
        "dropout": float(dropout) if dropout_on else None,
        "early_stopping": int(patience),
        "schedule": schedule,
        "seed": int(seed),
    }


def augmentation_ui(ds: datasets.Dataset) -> Augmentation:
    """Augmentation settings with a preview grid of augmented training images."""
    with st.expander("Data augmentation (training images only)"):
        c1, c2, c3, c4, c5 = st.columns(5)
        flip = c1.selectbox(
            "Flip",
            list(training.FLIP_MODES),
            key="train_flip",
            format_func=lambda f: f.replace("_and_", " + "),
        )
        rotation = c2.slider(
            "Rotation (share of a turn)", 0.0, 0.25, step=0.01, key="train_rotation"
        )
        shift = c3.slider("Shift", 0.0, 0.3, step=0.01, key="train_shift")
        zoom = c4.slider("Zoom", 0.0, 0.3, step=0.01, key="train_zoom")
        contrast = c5.slider("Contrast", 0.0, 0.5, step=0.05, key="train_contrast")
        aug = Augmentation(flip, rotation, shift, zoom, contrast)
        if aug.active:
            idx = np.arange(min(8, len(ds.x_train)))
            originals = ds.x_train[idx]
            st.caption("Top row: originals. Below: what training might see instead.")
            st.image(list(enlarge(originals, 64)), width=64)
            for seed in (1, 2):
                st.image(list(enlarge(aug.apply(originals, seed=seed), 64)), width=64)
        else:
            st.caption("Random flips, turns, shifts, zooms and contrast changes make the "
                       "network see a slightly different image every epoch: more robust, "
                       "less overfitting, slower to learn.")  # fmt: skip
    return aug


# ---------------------------------------------------------------------------- the job


def start_job(ds: datasets.Dataset, cfg: TrainingConfig) -> TrainingJob:
    """Start (or queue) a job owned by this session and remember its id."""
    arch = cfg.architecture_name
    title = architectures.preset(arch).title if arch in architectures.available() else arch
    job = TrainingJob(
        ds, cfg, store=model_store(), owner=session_id(), name=f"{title} on {ds.name}"
    )
    job.start()
    st.session_state[JOB_KEY] = job.id
    return job


def current_job() -> TrainingJob | None:
    """This session's latest job, if the server still has it."""
    return training.get_job(st.session_state.get(JOB_KEY))


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "…"
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _progress_body(job_id: str) -> None:
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
            key=_default("train_smoothing", 0.6),
        )
        st.plotly_chart(
            training_plots.curves_figure(events, smoothing, started.epochs), key="train_curves"
        )
        with st.expander("Throughput"):
            st.plotly_chart(training_plots.throughput_figure(events), key="train_throughput")
    if status in ("queued", "running"):
        st.button("Stop", key="train_stop", on_click=job.stop, icon=":material/stop_circle:")
    if status == "failed":
        st.error(job.error or "Training failed.", icon=":material/block:")
    elif job.done and isinstance(events[-1], (training.Finished, training.Stopped)):
        st.success(events[-1].message, icon=":material/check_circle:")
    if job.done and st.session_state.get("train_shown_done") != job.id:
        # The page drew this job while it ran: redraw it whole once to show the results.
        st.session_state["train_shown_done"] = job.id
        st.rerun()


def progress_ui(job_id: str) -> None:
    """Live progress of a job: polled every second while it runs, static afterwards."""
    job = training.get_job(job_id)
    active = job is not None and not job.done
    if not active and job is not None:
        st.session_state["train_shown_done"] = job.id
    st.fragment(run_every=POLL_SECONDS if active else None)(_progress_body)(job_id)


# ---------------------------------------------------------------------------- results


def _cell_from_selection(selection, class_names: list[str]) -> tuple[int, int] | None:
    points = (selection or {}).get("selection", {}).get("points", []) if selection else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, dict):  # the browser may send an array as {"0": .., "1": ..}
            data = [data.get("0", data.get(0)), data.get("1", data.get(1))]
        if isinstance(data, (list, tuple)) and len(data) >= 2 and None not in data[:2]:
            return int(data[0]), int(data[1])
        x, y = point.get("x"), point.get("y")
        if x in class_names and y in class_names:
            return class_names.index(y), class_names.index(x)
    return None


def _image_grid(images: np.ndarray, captions: list[str], side: int = 96) -> None:
    if len(images) == 0:
        st.caption("No images here.")
        return
    st.image(list(enlarge(images, side)), caption=captions, width=side)


def results_ui(job: TrainingJob) -> None:
    """Test metrics, classification report, interactive confusion matrix, example grids."""
    res = job.result
    if res is None:
        return
    ev = res.evaluation
    ds = job.dataset
    names = [str(c) for c in ev.class_names]
    st.subheader("How well does it do on the test images?")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Test accuracy", f"{res.test_accuracy:.1%}")
    c2.metric("Test loss", f"{res.test_loss:.3f}")
    c3.metric("Epochs", f"{res.epochs_run}" + (" (stopped)" if res.status == "stopped" else ""))
    c4.metric("Training time", _fmt_seconds(res.seconds))
    if res.model_id:
        st.caption(
            f"Saved as **{job.name}** in your models: explore it on the Activations, "
            "Filter visualization and Grad-CAM pages."
        )
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Classification report** (scikit-learn)")
        st.dataframe(
            pd.DataFrame(ev.report_rows()),
            hide_index=True,
            column_config={
                k: st.column_config.NumberColumn(k, format="%.3f")
                for k in ("precision", "recall", "f1-score")
            },
        )
        st.caption(
            "Precision: of the images predicted as this class, the share that really are. "
            "Recall: of the images of this class, the share found. F1: their harmonic mean."
        )
    with right:
        normalize = st.toggle("Show shares per true class", key="train_cm_normalize")
        fig = training_plots.confusion_figure(ev.confusion_matrix(), names, normalize)
        selection = st.plotly_chart(
            fig,
            key=f"train_cm_{job.id}",
            on_select="rerun",
            selection_mode="points",
        )
        cell = _cell_from_selection(selection, names)
        applied = st.session_state.get("train_cm_applied")
        if cell is not None and applied != (job.id, cell):
            st.session_state["train_cm_applied"] = (job.id, cell)
            st.session_state["train_cm_true"] = names[cell[0]]
            st.session_state["train_cm_pred"] = names[cell[1]]
    st.markdown("**Images behind a cell** — click a cell above, or choose:")
    any_class = "(any)"
    for key in ("train_cm_true", "train_cm_pred"):
        if st.session_state.get(key) not in (None, any_class, *names):
            st.session_state[key] = any_class  # a class of an earlier job's dataset
    s1, s2 = st.columns(2)
    true_name = s1.selectbox("True class", [any_class, *names], key="train_cm_true")
    pred_name = s2.selectbox("Predicted class", [any_class, *names], key="train_cm_pred")
    idx = ev.examples(
        true_class=None if true_name == any_class else names.index(true_name),
        predicted_class=None if pred_name == any_class else names.index(pred_name),
        limit=24,
    )
    total = len(
        ev.examples(
            true_class=None if true_name == any_class else names.index(true_name),
            predicted_class=None if pred_name == any_class else names.index(pred_name),
        )
    )
    st.caption(f"{total} test images, most confident first (showing up to 24).")
    _image_grid(ds.x_test[idx], _captions(ev, idx, names))
    wrong, right_tab = st.tabs(["Mistakes", "Correct predictions"])
    with wrong:
        idx = ev.examples(correct=False, limit=24)
        st.caption(
            "The most confident mistakes first. Caption: true class→predicted class, and "
            "the confidence of the prediction."
        )
        _image_grid(ds.x_test[idx], _captions(ev, idx, names))
    with right_tab:
        idx = ev.examples(correct=True, limit=24, most_confident=False)
        st.caption("The least confident correct predictions first: near the decision border.")
        _image_grid(ds.x_test[idx], _captions(ev, idx, names))


def _captions(ev, idx, names) -> list[str]:
    return [f"{names[ev.y_true[i]]}→{names[ev.y_pred[i]]} {ev.confidence[i]:.0%}" for i in idx]


# ---------------------------------------------------------------------------- model store


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "model"


def _model_row_ui(store: ModelStore, meta: dict, owner: str) -> None:
    model_id = meta["id"]
    own = meta.get("owner") == owner
    accuracy = (meta.get("test_metrics") or {}).get("accuracy")
    dataset = (meta.get("dataset") or {}).get("name", "uploaded")
    title = (
        f"{'' if own else '🌐 '}{meta.get('name')} · {dataset}"
        + (f" · {accuracy:.1%}" if isinstance(accuracy, (int, float)) else "")
        + f" · {meta.get('status', '')}"
    )
    with st.expander(title):
        h, w, c = meta.get("input_shape", ["?", "?", "?"])
        st.caption(
            f"{h}×{w}×{c} input · {len(meta.get('class_names', []))} classes "
            f"({', '.join(map(str, meta.get('class_names', [])[:8]))}"
            f"{'…' if len(meta.get('class_names', [])) > 8 else ''}) · "
            f"{int(meta.get('params', 0)):,} parameters · created {meta.get('created', '?')}"
            + ("" if own else " · shared by another session")
        )
        cols = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
        if own:
            new_name = cols[0].text_input(
                "Name", value=meta.get("name", ""), key=f"train_store_name_{model_id}"
            )
            if cols[1].button("Rename", key=f"train_store_rename_{model_id}"):
                _store_action(lambda: store.rename(model_id, new_name, owner), "Renamed.")
            shared = cols[2].toggle(
                "Shared",
                value=bool(meta.get("shared")),
                key=f"train_store_share_{model_id}",
                help="Shared models are visible (read-only) to every browser session.",
            )
            if shared != bool(meta.get("shared")):
                _store_action(lambda: store.set_shared(model_id, shared, owner), None)
            if cols[3].button(
                "Delete", key=f"train_store_delete_{model_id}", icon=":material/delete:"
            ):
                _store_action(lambda: store.delete(model_id, owner), "Deleted.")
        st.download_button(
            "Download .keras",
            data=lambda: store.model_bytes(model_id, owner),
            file_name=f"{_slug(str(meta.get('name')))}.keras",
            mime="application/octet-stream",
            key=f"train_store_download_{model_id}",
            on_click="ignore",
        )


def _store_action(action, message: str | None) -> None:
    try:
        action()
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    if message:
        st.toast(message)
    st.rerun()


def upload_model_ui(store: ModelStore, owner: str) -> None:
    """Upload a ``.keras`` file into this session's models."""
    st.markdown("**Upload a Keras model** (`.keras`, saved with Keras 3)")
    with st.form("train_upload_form", clear_on_submit=True):
        upload = st.file_uploader("Model file", type=["keras"], key="train_keras_upload")
        c1, c2 = st.columns(2)
        name = c1.text_input("Name", placeholder="my model", key="train_upload_name")
        mode = c2.selectbox(
            "Input scaling it expects",
            list(PREPROCESSINGS),
            format_func=lambda m: PREPROCESSINGS[m][0],
            key="train_upload_pre",
        )
        classes = st.text_input(
            "Class names, comma separated (optional: class_0, class_1, … otherwise)",
            key="train_upload_classes",
        )
        submitted = st.form_submit_button("Add to my models")
    if not submitted:
        return
    if upload is None:
        st.error("Choose a .keras file first.", icon=":material/block:")
        return
    names = [c.strip() for c in classes.split(",")] if classes.strip() else None
    try:
        pre = PREPROCESSINGS[mode][1]()
        if mode == "unit":
            pre = None  # inferred from the model's channels
        model_id = store.import_keras(
            upload.getvalue(), owner, name=name or upload.name, class_names=names,
            preprocessing=pre,
        )  # fmt: skip
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    st.success(
        f"Added “{store.info(model_id, owner)['name']}” to your models.",
        icon=":material/check_circle:",
    )


def model_store_ui() -> None:
    """This session's models and shared ones: rename, share, delete, download, upload."""
    owner = session_id()
    store = model_store()
    try:
        metas = store.list(owner)
    except OSError as exc:
        st.error(f"The model store cannot be read ({exc}).", icon=":material/block:")
        return
    if not metas:
        st.caption("No models yet: train one above, or upload a .keras file.")
    for meta in metas[:30]:
        _model_row_ui(store, meta, owner)
    if len(metas) > 30:
        st.caption(f"… and {len(metas) - 30} older models.")
    upload_model_ui(store, owner)


def config_from_state(architecture, hyper: dict, aug: Augmentation) -> TrainingConfig | None:
    """Assemble and check the config; shows the problem and returns None when invalid."""
    try:
        cfg = TrainingConfig(architecture=architecture, augmentation=aug, **hyper)
        cfg.validate()
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return None
    return cfg
