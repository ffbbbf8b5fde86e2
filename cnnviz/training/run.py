"""One job's training, wherever it runs: in a server thread, a worker process or a Ray task.

:class:`TrainingRun` does the work of a :class:`~cnnviz.training.TrainingJob` up to the
evaluation: it builds the model of the config's run kind, calls ``fit`` with the progress
callback, and evaluates the result. It publishes events through the ``emit`` function it is
given and checks ``should_stop`` between batches; it never touches the scheduler, the
registry or the model store's writes. It leaves an :class:`Outcome`: everything the server
needs to save the model and tell the student what happened (a plain, picklable object, so it
travels back from a worker process or through Ray's object store).
"""

from __future__ import annotations

import logging
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras

from cnnviz.training.build import make_optimizer, stored_model_copy
from cnnviz.training.classifier import KindRun
from cnnviz.training.config import TrainingConfig
from cnnviz.training.data import fit_split
from cnnviz.training.device import detect_device
from cnnviz.training.events import JobStarted
from cnnviz.training.progress import ProgressCallback, friendly_error
from cnnviz.training.scheduler import SETUP_LOCK
from cnnviz.training.snapshots import EpochSnapshots, probe_indices

_LOG = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a training run leaves (finished, stopped or failed).

    Attributes:
        status: ``"finished"``, ``"stopped"``, ``"failed"``, or ``"not_started"`` (stopped
            before the first epoch: nothing to save).
        summary: a few words on the result (``"test accuracy 91.0% after 12 s"``).
        error: the student's sentence for a failed run, else None.
        traceback: the Python traceback of a failed run (for the server's log).
        history: per-epoch metrics from ``fit``.
        evaluation: the test-set :class:`~cnnviz.models.Evaluation`, None unless trained.
        epochs_run: epochs that started (the last may be partial).
        seconds: wall time from the data split to the end of the evaluation.
        device: where it trained (``"CPU (2 cores)"``).
        params: the saved model's parameter count.
        input_shape: the saved model's input (H, W, C).
        preprocessing: the model's input preprocessing, as a dict.
        kind_metadata: what the run kind stores with the model.
        model: the trained Keras model (in the process that trained it), else None.
        model_bytes: the model as a ``.keras`` file (what crosses a process boundary).
        snapshots: epoch snapshot arrays to store beside the model, or None.
        cap_reached: the server's time cap stopped the run.
        peak_rss_mb: the training process's peak resident memory (MiB), when measured.
    """

    status: str
    summary: str = ""
    error: str | None = None
    traceback: str | None = None
    history: dict = field(default_factory=dict)
    evaluation: Any = None
    epochs_run: int = 0
    seconds: float = 0.0
    device: str | None = None
    params: int = 0
    input_shape: tuple = ()
    preprocessing: dict | None = None
    kind_metadata: dict = field(default_factory=dict)
    model: Any = None
    model_bytes: bytes | None = None
    snapshots: dict | None = None
    cap_reached: bool = False
    peak_rss_mb: float | None = None


class TrainingRun:
    """Train ``config`` on ``dataset`` here and now; see the module docstring.

    Args:
        dataset: a ``cnnviz.datasets.Dataset``.
        config: a validated training config.
        emit: called with each event, in order (from Keras' callback threads too).
        should_stop: returns True once the student asked to stop.
        store: a model store to read ``config.continue_from`` from (None: no continuing).
        owner: the workspace key (reading the continued model).
        model: an uncompiled Keras model to train instead of building one.
        callbacks: extra Keras callbacks for ``fit``.
        snapshots: keep epoch snapshots of 8 test images.

    Attributes (as a run kind or callback reads them, like a job's): ``config``,
    ``dataset``, ``model``, ``kind``, ``kind_run``, ``preprocessing``, ``snapshots``,
    ``history``, ``device``, ``stop_requested``, ``emit``.
    """

    def __init__(
        self,
        dataset,
        config: TrainingConfig,
        *,
        emit: Callable[[Any], None],
        should_stop: Callable[[], bool],
        store=None,
        owner: str = "local",
        model=None,
        callbacks: list | None = None,
        snapshots: bool = True,
    ):
        self.dataset = dataset
        self.config = config
        self.store = store
        self.owner = owner
        self.model = model
        self.kind = config.run_kind
        self.kind_run: KindRun | None = None
        self.preprocessing = None
        self.snapshots = None
        self.history: dict[str, list[float]] = {}
        self.device: str | None = None
        self._emit = emit
        self._should_stop = should_stop
        self._given_model = model is not None
        self._extra_callbacks = list(callbacks or [])
        self._want_snapshots = bool(snapshots)
        self._asked_to_stop = False

    def emit(self, event) -> None:
        """Publish an event."""
        self._emit(event)

    @property
    def stop_requested(self) -> bool:
        """True once a stop was asked for (by the student or the time cap)."""
        return self._asked_to_stop or bool(self._should_stop())

    def stop(self) -> None:
        """Stop at the next batch (the time cap calls this in a worker)."""
        self._asked_to_stop = True

    # ---- the work -----------------------------------------------------------

    def run(self) -> Outcome:
        """Train, evaluate and return the :class:`Outcome` (errors become a failed one)."""
        started = time.perf_counter()
        try:
            return self._train(started)
        except BaseException as exc:  # never lose an error
            trace = traceback.format_exc()
            _LOG.warning("training failed:\n%s", trace)
            return Outcome(
                status="failed",
                error=friendly_error(exc),
                traceback=trace,
                device=self.device,
                seconds=time.perf_counter() - started,
            )

    def _train(self, started: float) -> Outcome:
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
        mixed = wanted and self.kind.mixed_precision and not self._given_model
        mixed = mixed and not cfg.continue_from
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
        if not self.stop_requested:
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
        return self._finish(started, progress.epochs_started, mixed)

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

    def _finish(self, started: float, epochs_run: int, mixed: bool) -> Outcome:
        """Evaluate after ``fit`` (finished or stopped)."""
        stopped = self.stop_requested
        if stopped and epochs_run == 0:
            return Outcome(
                status="not_started",
                device=self.device,
                seconds=time.perf_counter() - started,
            )
        seconds = time.perf_counter() - started  # training time; the evaluation is apart
        if mixed:
            self.model = self.kind_run.model = self._float32_copy()
        evaluation = self.kind_run.evaluate(self)
        snapshots = None
        if self.snapshots is not None and self.snapshots.epochs:
            snapshots = self.snapshots.arrays()
        return Outcome(
            status="stopped" if stopped else "finished",
            summary=self.kind_run.summary(evaluation, seconds),
            history=self.history,
            evaluation=evaluation,
            epochs_run=int(epochs_run),
            seconds=seconds,
            device=self.device,
            params=int(self.model.count_params()),
            input_shape=tuple(int(v) for v in self.model.inputs[0].shape[1:]),
            preprocessing=self.preprocessing.to_dict() if self.preprocessing else None,
            kind_metadata=dict(self.kind_run.metadata()),
            model=self.model,
            snapshots=snapshots,
        )
