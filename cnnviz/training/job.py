"""The training job: ``model.fit`` in a background thread that publishes progress events.

The job's life (queue, events, stop, saving) is described in :mod:`cnnviz.training`; this
module holds :class:`TrainingJob` and its progress callback.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import traceback
import uuid
from typing import Any

import keras
import numpy as np

from cnnviz.datasets import stratified_split
from cnnviz.errors import InputError
from cnnviz.evaluation import Evaluation, evaluate
from cnnviz.preprocessing import unit
from cnnviz.training.build import (
    _output_units,
    build_model,
    make_optimizer,
    model_preprocessing,
    stored_model_copy,
    training_wrapper,
)
from cnnviz.training.config import TrainingConfig
from cnnviz.training.device import detect_device
from cnnviz.training.events import (
    BATCH_EVENTS_PER_SECOND,
    BatchEnd,
    EpochEnd,
    Failed,
    Finished,
    JobStarted,
    Stopped,
    TrainingResult,
)
from cnnviz.training.scheduler import _COUNTER, _SETUP_LOCK, SCHEDULER, _register
from cnnviz.training.snapshots import EpochSnapshots, probe_indices

_LOG = logging.getLogger(__name__)
STATUSES = ("queued", "running", "stopping", "finished", "stopped", "failed")
DONE_STATUSES = ("finished", "stopped", "failed")


def _friendly_error(exc: BaseException) -> str:
    """A one-paragraph message for a failed job (Keras' multi-line errors condensed)."""
    if isinstance(exc, InputError):
        return str(exc)
    text = str(exc)
    if isinstance(exc, MemoryError) or "OOM" in text or "out of memory" in text.lower():
        return (
            "Training ran out of memory. Try a smaller batch size, smaller images or a "
            f"smaller network. ({type(exc).__name__})"
        )
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Arguments received"):
            break  # Keras appends the call arguments: long and not helpful
        if line:
            lines.append(line)
    detail = " ".join(lines)
    if len(detail) > 400:
        detail = detail[:400] + "…"
    return f"Training failed: {type(exc).__name__}: {detail or 'no details'}"


class _ProgressCallback(keras.callbacks.Callback):
    """Turns fit's callbacks into events, cheaply.

    ``async_safe`` lets Keras run batch-end hooks on its worker threads, exactly as it does
    for a plain ``fit(verbose=0)``, so the training loop never waits for us. Batch events
    are throttled; stop requests are checked at every batch.
    """

    async_safe = True

    def __init__(self, job: TrainingJob, epochs: int, steps: int, batch_size: int, samples: int):
        super().__init__()
        self.job = job
        self.epochs = epochs
        self.steps = steps
        self.batch_size = batch_size
        self.samples = samples
        self.interval = 1.0 / BATCH_EVENTS_PER_SECOND
        self._lock = threading.Lock()
        self._epoch = 0
        self._epoch_start = 0.0
        self._last_emit = 0.0
        self._last_batch = -1
        self._batches_done = 0
        self._rate_mark: tuple[float, int] | None = None  # (time, batch) after the 1st batch
        self._sec_per_batch: float | None = None
        self._epoch_seconds: list[float] = []
        self.epochs_started = 0

    def _eta(self, epoch: int, batches_done: int) -> float | None:
        if self._sec_per_batch is None:
            return None
        left_batches = self.steps - batches_done
        left_epochs = self.epochs - epoch - 1
        # The first epoch includes graph tracing: prefer later epochs' wall times.
        later = self._epoch_seconds[1:]
        per_epoch = float(np.median(later)) if later else self._sec_per_batch * self.steps
        return max(0.0, left_batches * self._sec_per_batch + left_epochs * per_epoch)

    def on_epoch_begin(self, epoch, logs=None):
        with self._lock:
            self._epoch = epoch
            self._epoch_start = time.perf_counter()
            self._last_batch = -1
            self._batches_done = 0
            self._rate_mark = None
            self.epochs_started = epoch + 1

    def on_train_batch_begin(self, batch, logs=None):
        if self.job._stop_requested.is_set():
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        # Runs on a Keras worker thread; several may overlap, hence the lock.
        if self.job._stop_requested.is_set():
            self.model.stop_training = True
        now = time.perf_counter()
        with self._lock:
            if batch <= self._last_batch:
                return  # out of order: a later batch was already reported
            self._last_batch = batch
            self._batches_done = batch + 1
            if self._rate_mark is None:
                # The first batch includes graph tracing: measure speed from its end on.
                self._rate_mark = (now, batch)
            elif batch > self._rate_mark[1]:
                self._sec_per_batch = (now - self._rate_mark[0]) / (batch - self._rate_mark[1])
            if now - self._last_emit < self.interval and batch + 1 < self.steps:
                return
            self._last_emit = now
            logs = logs or {}
            rate = self.batch_size / self._sec_per_batch if self._sec_per_batch else 0.0
            event = BatchEnd(
                epoch=self._epoch + 1,
                batch=batch + 1,
                steps=self.steps,
                loss=float(logs.get("loss", math.nan)),
                accuracy=float(logs.get("accuracy", math.nan)),
                images_per_sec=float(rate),
                eta=self._eta(self._epoch, batch + 1),
            )
            self.job._emit(event)

    def on_epoch_end(self, epoch, logs=None):
        if self.job._stop_requested.is_set():  # asked during validation
            self.model.stop_training = True
        logs = logs or {}
        now = time.perf_counter()
        with self._lock:
            seconds = now - self._epoch_start
            self._epoch_seconds.append(seconds)
            seen = min(self.samples, self._batches_done * self.batch_size)
            train_seconds = (
                self._sec_per_batch * self._batches_done if self._sec_per_batch else seconds
            )
            event = EpochEnd(
                epoch=epoch + 1,
                loss=float(logs.get("loss", math.nan)),
                accuracy=float(logs.get("accuracy", math.nan)),
                val_loss=_maybe_float(logs.get("val_loss")),
                val_accuracy=_maybe_float(logs.get("val_accuracy")),
                seconds=float(seconds),
                images_per_sec=float(seen / train_seconds) if train_seconds > 0 else 0.0,
                eta=self._eta(epoch, self.steps) if epoch + 1 < self.epochs else 0.0,
            )
            self.job._emit(event)


def _maybe_float(value) -> float | None:
    return None if value is None else float(value)


class TrainingJob:
    """Train a model on a dataset in a background thread, publishing progress events.

    Args:
        dataset: a ``cnnviz.datasets.Dataset`` (uint8 images (N, H, W, C), int labels).
        config: what to train and how.
        store: a ``cnnviz.store.ModelStore`` to save the result in (None: not saved).
        owner: browser-session id that owns the job and the saved model.
        name: name of the saved model (default: "<architecture> on <dataset>").
        model: an uncompiled Keras model to train instead of building
            ``config.architecture`` (for notebooks, tests and benchmarks).
        callbacks: extra Keras callbacks for ``fit`` (they see the training wrapper).
        snapshots: keep epoch snapshots of 8 test images (kernels, predictions, Grad-CAM;
            see :mod:`cnnviz.training.snapshots`), saved with the model.

    Attributes:
        id: registry key (``get_job(id)`` finds the job again).
        model: the trained classifier (None until built).
        history: per-epoch metrics, ``{"loss": [...], "accuracy": [...], ...}``.
        result: a :class:`TrainingResult` once finished or stopped, else None.
        error: the message of a failed job, else None.
    """

    def __init__(
        self,
        dataset,
        config: TrainingConfig | None = None,
        store=None,
        owner: str = "local",
        name: str | None = None,
        model=None,
        callbacks: list | None = None,
        page: str = "pages/train.py",
        snapshots: bool = True,
    ):
        self.config = config or TrainingConfig()
        self.config.validate()
        self.dataset = dataset
        self.store = store
        self.owner = owner
        self.id = f"job-{next(_COUNTER)}-{uuid.uuid4().hex[:8]}"
        self.name = name or f"{self.config.architecture_name} on {dataset.name}"
        self.model = model
        self.history: dict[str, list[float]] = {}
        self.result: TrainingResult | None = None
        self.error: str | None = None
        self.device: str | None = None
        self.created = time.time()
        self._given_model = model is not None
        self._extra_callbacks = list(callbacks or [])
        self.page = page  # the app page that started the job (the sidebar links to it)
        self.preprocessing = None  # the model's input preprocessing, set when it is built
        self._transfer = None  # a cnnviz.transfer.TransferRun for transfer learning
        self._autoencoder = None  # a cnnviz.autoencoder.AutoencoderRun (images as targets)
        self.snapshots = None  # an EpochSnapshots callback while / after training
        self._want_snapshots = bool(snapshots)
        self._status = "new"
        self._events: list = []
        self._lock = threading.Lock()
        self._stop_requested = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._traceback: str | None = None

    # ---- state ------------------------------------------------------------

    @property
    def status(self) -> str:
        """One of ``STATUSES`` (``"new"`` before :meth:`start`)."""
        return self._status

    @property
    def done(self) -> bool:
        """True once finished, stopped or failed."""
        return self._status in DONE_STATUSES

    @property
    def queue_position(self) -> int:
        """1-based place in the waiting queue; 0 when not waiting."""
        return SCHEDULER.position(self) if self._status == "queued" else 0

    def events(self) -> list:
        """All events so far, in order."""
        with self._lock:
            return list(self._events)

    def poll(self, since: int = 0) -> list:
        """Events after the first ``since`` ones (pass the count already seen)."""
        with self._lock:
            return self._events[max(0, int(since)) :]

    def latest(self, kind: type) -> Any:
        """The most recent event of a type, or None."""
        with self._lock:
            for event in reversed(self._events):
                if isinstance(event, kind):
                    return event
        return None

    def _emit(self, event) -> None:
        with self._lock:
            self._events.append(event)

    # ---- control ----------------------------------------------------------

    def start(self) -> TrainingJob:
        """Register the job and run it now, or queue it when the server is busy."""
        if self._status != "new":
            raise InputError("This training job was already started.")
        self._status = "queued"
        _register(self)
        SCHEDULER.submit(self)
        return self

    def stop(self) -> None:
        """Ask the job to stop; the model trained so far is kept, evaluated and saved."""
        if self.done:
            return
        self._stop_requested.set()
        if SCHEDULER.cancel(self):
            self._set_status("stopped")
            self._emit(Stopped("Stopped before training started."))
            self._done.set()
        else:
            with self._lock:
                if self._status == "running":
                    self._status = "stopping"

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is done; True if it is."""
        return self._done.wait(timeout)

    def _set_status(self, status: str) -> None:
        with self._lock:
            self._status = status

    def _launch(self) -> None:
        if self._stop_requested.is_set():  # stopped while leaving the queue
            self._set_status("stopped")
            self._emit(Stopped("Stopped before training started."))
            self._done.set()
            SCHEDULER.release(self)
            return
        self._set_status("running")
        self._thread = threading.Thread(target=self._run, name=self.id, daemon=True)
        self._thread.start()

    # ---- the work (background thread) ---------------------------------------

    def _prepare_data(self):
        ds = self.dataset
        x_train = np.asarray(ds.x_train)
        y_train = np.asarray(ds.y_train).astype(np.int64)
        if x_train.ndim != 4 or x_train.dtype != np.uint8:
            raise InputError(
                f"Training images must be uint8 (N, H, W, C); got {x_train.dtype} {x_train.shape}."
            )
        if len(np.unique(y_train)) < 2:
            raise InputError("The training set needs images of at least two classes.")
        if getattr(ds, "x_val", None) is not None and len(ds.x_val):
            return x_train, y_train, np.asarray(ds.x_val), np.asarray(ds.y_val).astype(np.int64)
        fraction = float(self.config.validation_split)
        if fraction <= 0:
            return x_train, y_train, None, None
        tr, va = stratified_split(y_train, fraction, seed=[int(self.config.seed), 2])
        return x_train[tr], y_train[tr], x_train[va], y_train[va]

    def _setup(self, input_shape: tuple, num_classes: int, mixed: bool, total_steps: int):
        cfg = self.config
        with _SETUP_LOCK:
            keras.utils.set_random_seed(int(cfg.seed))
            # Dtype policy is per thread in Keras 3: this does not affect other jobs.
            keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
            try:
                if self.model is None and cfg.continue_from:
                    self.model = stored_model_copy(self.store, cfg.continue_from, self.owner)
                elif self.model is None:
                    self.model = build_model(cfg, input_shape, num_classes)
                self.preprocessing = model_preprocessing(cfg, input_shape[-1])
                if cfg.transfer is not None:
                    from cnnviz.transfer import TransferRun

                    self._transfer = TransferRun(cfg.transfer, self.model)
                    wrapper = self._transfer.fit_model(
                        input_shape, cfg.augmentation, cfg.seed, self.preprocessing
                    )
                elif cfg.autoencoder is not None:
                    from cnnviz.autoencoder import AutoencoderRun

                    self._autoencoder = AutoencoderRun(cfg.autoencoder, self.model)
                    wrapper = self._autoencoder.fit_model(input_shape, cfg.seed, self.preprocessing)
                else:
                    wrapper = training_wrapper(
                        self.model, input_shape, cfg.augmentation, cfg.seed, self.preprocessing
                    )
            finally:
                keras.config.set_dtype_policy("float32")
        if self._autoencoder is not None:  # the clean images are the targets
            optimizer = make_optimizer(
                cfg.optimizer, float(cfg.learning_rate), cfg.schedule, total_steps
            )
            wrapper.compile(optimizer=optimizer, loss=self._autoencoder.loss)
            return wrapper
        units = _output_units(self.model)
        if units == 1 and num_classes != 2:
            raise InputError(
                f"A single-output model can only learn 2 classes; this dataset has {num_classes}."
            )
        if units not in (1, num_classes):
            raise InputError(
                f"The model has {units} outputs but the dataset has {num_classes} classes."
            )
        wrapper.compile(
            optimizer=make_optimizer(
                cfg.optimizer, float(cfg.learning_rate), cfg.schedule, total_steps
            ),
            loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return wrapper

    def _float32_copy(self):
        """Rebuild a mixed-precision model in float32 with the trained weights, for saving."""
        with _SETUP_LOCK:
            keras.config.set_dtype_policy("float32")
            fresh = build_model(self.config, self.dataset.input_shape, self.dataset.num_classes)
        fresh.set_weights(self.model.get_weights())
        return fresh

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            cfg = self.config
            ds = self.dataset
            x_tr, y_tr, x_va, y_va = self._prepare_data()
            input_shape = tuple(int(v) for v in x_tr.shape[1:])
            num_classes = len(ds.class_names)
            self.device = detect_device()
            # Auto: float16 compute on a GPU only (on a CPU it is slower, not faster). An
            # explicit True is honoured anywhere, except for a model given ready-made.
            wanted = (
                self.device.startswith("GPU")
                if cfg.mixed_precision is None
                else bool(cfg.mixed_precision)
            )
            mixed = (
                wanted
                and not self._given_model
                and cfg.transfer is None
                and cfg.autoencoder is None
                and not cfg.continue_from
            )
            batch_size = int(min(cfg.batch_size, len(x_tr)))
            steps = math.ceil(len(x_tr) / batch_size)
            epochs = int(cfg.epochs)
            wrapper = self._setup(input_shape, num_classes, mixed, steps * epochs)
            if self._transfer is not None:  # features instead of images, head trained first
                x_tr, x_va = self._transfer.fit_inputs(self, x_tr, y_tr, x_va)
            if self._autoencoder is not None:  # images are their own targets
                y_tr, y_va = x_tr, x_va
            progress = _ProgressCallback(self, epochs, steps, batch_size, len(x_tr))
            callbacks = [progress, *self._extra_callbacks]
            # Snapshots follow the model in place; a transfer head trains on a copy (features)
            # or behind a large base, so transfer runs keep none.
            if (
                self._want_snapshots
                and cfg.transfer is None
                and self._autoencoder is None
                and len(ds.x_test)
            ):
                probe = probe_indices(ds.y_test)
                self.snapshots = EpochSnapshots(
                    self.model,
                    ds.x_test[probe],
                    ds.y_test[probe],
                    preprocessing=self.preprocessing,
                )
                callbacks.append(self.snapshots)
            if cfg.early_stopping > 0:
                callbacks.append(
                    keras.callbacks.EarlyStopping(
                        monitor="val_loss" if x_va is not None else "loss",
                        patience=int(cfg.early_stopping),
                        restore_best_weights=True,
                    )
                )
            self._emit(
                JobStarted(
                    device=self.device,
                    mixed_precision=bool(mixed),
                    params=int(self.model.count_params()),
                    epochs=epochs,
                    steps=steps,
                    batch_size=batch_size,
                    train_samples=len(x_tr),
                    val_samples=0 if x_va is None else len(x_va),
                )
            )
            if not self._stop_requested.is_set():
                fit = wrapper.fit(
                    x_tr,
                    y_tr,
                    batch_size=batch_size,
                    epochs=epochs,
                    validation_data=None if x_va is None else (x_va, y_va),
                    callbacks=callbacks,
                    shuffle=True,
                    verbose=0,
                )
                self.history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}
            seconds = time.perf_counter() - started
            stopped = self._stop_requested.is_set()
            if stopped and progress.epochs_started == 0:
                self._set_status("stopped")
                self._emit(Stopped("Stopped before training started; nothing was saved."))
                return
            if mixed:
                self.model = self._float32_copy()
            if self._transfer is not None:
                evaluation = self._transfer.evaluate(self)
            elif self._autoencoder is not None:
                evaluation = self._autoencoder.evaluate(self)
            else:
                evaluation = evaluate(
                    self.model,
                    ds.x_test,
                    ds.y_test,
                    ds.class_names,
                    preprocessing=self.preprocessing,
                )
            status = "stopped" if stopped else "finished"
            model_id = self._save(evaluation, status, seconds) if self.store else None
            self.result = TrainingResult(
                status=status,
                test_loss=evaluation.loss,
                test_accuracy=evaluation.accuracy,
                evaluation=evaluation,
                model_id=model_id,
                epochs_run=progress.epochs_started,
                seconds=seconds,
            )
            if self._autoencoder is not None:
                summary = f"{evaluation.summary()}, after {seconds:.0f} s"
            else:
                summary = f"test accuracy {evaluation.accuracy:.1%} after {seconds:.0f} s"
            self._set_status(status)
            if stopped:
                self._emit(Stopped(f"Stopped in epoch {progress.epochs_started}: {summary}."))
            else:
                self._emit(Finished(f"Finished: {summary}."))
        except BaseException as exc:  # never lose an error in the thread
            self.error = _friendly_error(exc)
            self._traceback = traceback.format_exc()
            _LOG.warning("training job %s failed:\n%s", self.id, self._traceback)
            self._set_status("failed")
            self._emit(Failed(self.error))
        finally:
            self._done.set()
            SCHEDULER.release(self)

    def _save(self, evaluation: Evaluation, status: str, seconds: float) -> str:
        ds = self.dataset
        channels = int(ds.x_train.shape[-1])
        metadata = {
            "name": self.name,
            "owner": self.owner,
            "architecture": self.config.architecture,
            "dataset": {"name": ds.name, "options": dict(getattr(ds, "options", {}) or {})},
            "class_names": [str(c) for c in ds.class_names],
            "input_shape": [int(v) for v in self.model.inputs[0].shape[1:]],
            "preprocessing": (self.preprocessing or unit(grayscale=channels == 1)).to_dict(),
            "history": self.history,
            # Training images per second, epoch by epoch (the first includes tracing).
            "images_per_sec": [
                round(e.images_per_sec, 1) for e in self.events() if isinstance(e, EpochEnd)
            ],
            "test_metrics": evaluation.metrics(),
            "training": self.config.to_dict(),
            "device": self.device,
            "seconds": round(seconds, 2),
            "status": status,
            "params": int(self.model.count_params()),
            "page": self.page,
        }
        if self._transfer is not None:
            metadata.update(self._transfer.metadata())
        if self._autoencoder is not None:
            metadata.update(self._autoencoder.metadata())
        model_id = self.store.save(self.model, metadata)
        if self.snapshots is not None and self.snapshots.epochs:
            self.store.save_snapshots(model_id, self.snapshots.arrays())
        return model_id
