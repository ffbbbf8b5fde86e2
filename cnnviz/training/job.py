"""The training job: ``model.fit`` in a background thread that publishes progress events.

The job's life (queue, events, stop, saving) is described in :mod:`cnnviz.training`; this
module holds :class:`TrainingJob`. What differs between a classifier, transfer learning and
an autoencoder is the job's run kind (:mod:`cnnviz.training.kinds`); the job runs any kind
through one interface and never asks which one it is.
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

from cnnviz.errors import InputError
from cnnviz.training.build import make_optimizer, stored_model_copy
from cnnviz.training.classifier import KindRun
from cnnviz.training.config import TrainingConfig
from cnnviz.training.data import fit_split, stored_metadata
from cnnviz.training.device import detect_device
from cnnviz.training.events import Failed, Finished, JobStarted, Stopped, TrainingResult
from cnnviz.training.progress import ProgressCallback, friendly_error
from cnnviz.training.scheduler import SCHEDULER, SETUP_LOCK, next_number, register
from cnnviz.training.snapshots import EpochSnapshots, probe_indices

_LOG = logging.getLogger(__name__)
STATUSES = ("queued", "running", "stopping", "finished", "stopped", "failed")
DONE_STATUSES = ("finished", "stopped", "failed")


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
        number: the job's place in line from ``scheduler.next_number()``, taken when it was
            asked for (default: now). Waiting jobs start in this order.

    Attributes:
        id: registry key (``get_job(id)`` finds the job again).
        model: the trained model, the one that is saved (None until built).
        kind: the config's :class:`~cnnviz.training.kinds.RunKind`.
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
        number: int | None = None,
    ):
        self.config = config or TrainingConfig()
        self.config.validate()
        self.dataset = dataset
        self.store = store
        self.owner = owner
        # Place in the queue (first come, first served): take it with next_number() when the
        # student asks, before any slow preparation, and pass it here.
        self.number = int(number) if number is not None else next_number()
        self.id = f"job-{self.number}-{uuid.uuid4().hex[:8]}"
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
        self.kind = self.config.run_kind  # classifier, transfer, autoencoder... (a RunKind)
        self.kind_run: KindRun | None = None  # what the kind does in this job, once built
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

    def emit(self, event) -> None:
        """Publish an event (the progress callback and the run kind call this)."""
        with self._lock:
            self._events.append(event)

    @property
    def stop_requested(self) -> bool:
        """True once :meth:`stop` was called (checked between batches)."""
        return self._stop_requested.is_set()

    # ---- control ----------------------------------------------------------

    def start(self) -> TrainingJob:
        """Register the job and run it now, or queue it when the server is busy."""
        if self._status != "new":
            raise InputError("This training job was already started.")
        self._status = "queued"
        register(self)
        SCHEDULER.submit(self)
        return self

    def stop(self) -> None:
        """Ask the job to stop; the model trained so far is kept, evaluated and saved."""
        if self.done:
            return
        self._stop_requested.set()
        if SCHEDULER.cancel(self):
            self._set_status("stopped")
            self.emit(Stopped("Stopped before training started."))
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

    def launch(self) -> None:
        """Start the training thread now (the scheduler calls this when a place is free)."""
        if self._stop_requested.is_set():  # stopped while leaving the queue
            self._set_status("stopped")
            self.emit(Stopped("Stopped before training started."))
            self._done.set()
            SCHEDULER.release(self)
            return
        self._set_status("running")
        self._thread = threading.Thread(target=self._run, name=self.id, daemon=True)
        self._thread.start()

    # ---- the work (background thread) ---------------------------------------

    def _setup(self, input_shape: tuple, num_classes: int, mixed: bool, total_steps: int):
        """Build the model and the kind's run; returns the compiled model ``fit`` trains."""
        cfg = self.config
        with SETUP_LOCK:
            keras.utils.set_random_seed(int(cfg.seed))
            # Dtype policy is per thread in Keras 3: this does not affect other jobs.
            keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
            try:
                if self.model is None and cfg.continue_from:
                    model = self.kind.continue_model(cfg, self.store, cfg.continue_from, self.owner)
                    if model is None:  # the kind's default: a classifier taking 0..1 pixels
                        model = stored_model_copy(self.store, cfg.continue_from, self.owner)
                    self.model = model
                elif self.model is None:
                    self.model = self.kind.build(cfg, input_shape, num_classes)
                self.preprocessing = self.kind.preprocessing(cfg, input_shape[-1])
                self.kind_run = self.kind.start(cfg, self.model, self.preprocessing)
                fit_model = self.kind_run.fit_model(input_shape)
            finally:
                keras.config.set_dtype_policy("float32")
        optimizer = make_optimizer(
            cfg.optimizer, float(cfg.learning_rate), cfg.schedule, total_steps
        )
        self.kind_run.compile(fit_model, optimizer, num_classes)
        return fit_model

    def _float32_copy(self):
        """Rebuild a mixed-precision model in float32 with the trained weights, for saving."""
        with SETUP_LOCK:
            keras.config.set_dtype_policy("float32")
            ds = self.dataset
            fresh = self.kind.build(self.config, ds.input_shape, ds.num_classes)
        fresh.set_weights(self.model.get_weights())
        return fresh

    def _callbacks(self, progress, has_validation: bool) -> list:
        cfg, ds = self.config, self.dataset
        callbacks = [progress, *self._extra_callbacks]
        # Snapshots follow the model in place; a kind that trains a copy (transfer features)
        # or another output (autoencoder) keeps none.
        if self._want_snapshots and self.kind.snapshots and len(ds.x_test):
            probe = probe_indices(ds.y_test)
            self.snapshots = EpochSnapshots(
                self.model, ds.x_test[probe], ds.y_test[probe], preprocessing=self.preprocessing
            )
            callbacks.append(self.snapshots)
        if cfg.early_stopping > 0:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss" if has_validation else "loss",
                    patience=int(cfg.early_stopping),
                    restore_best_weights=True,
                )
            )
        return callbacks

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            cfg = self.config
            x_tr, y_tr, x_va, y_va = fit_split(
                self.dataset, cfg.validation_split, cfg.seed, validate_on_test=cfg.validate_on_test
            )
            input_shape = tuple(int(v) for v in x_tr.shape[1:])
            num_classes = len(self.dataset.class_names)
            self.device = detect_device()
            # Auto: float16 compute on a GPU only (on a CPU it is slower, not faster). An
            # explicit True is honoured anywhere, except for a model given ready-made, a
            # model continued from the store, or a kind that trains in float32 only.
            wanted = (
                self.device.startswith("GPU")
                if cfg.mixed_precision is None
                else bool(cfg.mixed_precision)
            )
            mixed = (
                wanted
                and self.kind.mixed_precision
                and not self._given_model
                and not cfg.continue_from
            )
            batch_size = int(min(cfg.batch_size, len(x_tr)))
            steps = math.ceil(len(x_tr) / batch_size)
            epochs = int(cfg.epochs)
            fit_model = self._setup(input_shape, num_classes, mixed, steps * epochs)
            x_tr, y_tr, x_va, y_va = self.kind_run.fit_inputs(self, x_tr, y_tr, x_va, y_va)
            progress = ProgressCallback(self, epochs, steps, batch_size, len(x_tr))
            callbacks = self._callbacks(progress, x_va is not None)
            self.emit(
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
                fit = fit_model.fit(
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
            self._finish(started, progress.epochs_started, mixed)
        except BaseException as exc:  # never lose an error in the thread
            self.error = friendly_error(exc)
            self._traceback = traceback.format_exc()
            _LOG.warning("training job %s failed:\n%s", self.id, self._traceback)
            self._set_status("failed")
            self.emit(Failed(self.error))
        finally:
            self._done.set()
            SCHEDULER.release(self)

    def _finish(self, started: float, epochs_run: int, mixed: bool) -> None:
        """Evaluate, save and publish the result after ``fit`` (finished or stopped)."""
        seconds = time.perf_counter() - started
        stopped = self._stop_requested.is_set()
        if stopped and epochs_run == 0:
            self._set_status("stopped")
            self.emit(Stopped("Stopped before training started; nothing was saved."))
            return
        if mixed:
            self.model = self.kind_run.model = self._float32_copy()
        evaluation = self.kind_run.evaluate(self)
        status = "stopped" if stopped else "finished"
        model_id = self._save(evaluation, status, seconds) if self.store else None
        self.result = TrainingResult(
            status=status,
            test_loss=evaluation.loss,
            test_accuracy=evaluation.accuracy,
            evaluation=evaluation,
            model_id=model_id,
            epochs_run=epochs_run,
            seconds=seconds,
        )
        summary = self.kind_run.summary(evaluation, seconds)
        self._set_status(status)
        if stopped:
            self.emit(Stopped(f"Stopped in epoch {epochs_run}: {summary}."))
        else:
            self.emit(Finished(f"Finished: {summary}."))

    def _save(self, evaluation, status: str, seconds: float) -> str:
        model_id = self.store.save(self.model, stored_metadata(self, evaluation, status, seconds))
        if self.snapshots is not None and self.snapshots.epochs:
            self.store.save_snapshots(model_id, self.snapshots.arrays())
        return model_id
