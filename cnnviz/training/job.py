"""The training job: the server's handle on one training, wherever it runs.

The job's life (queue, events, stop, saving) is described in :mod:`cnnviz.training`; this
module holds :class:`TrainingJob`. The training itself is a
:class:`~cnnviz.training.run.TrainingRun`, run by the server's executor
(:mod:`cnnviz.training.executors`: worker processes by default, a Ray cluster, or a thread
of this process). The job keeps what the pages read (status, events, queue place, result)
and saves the model in the server's store when the run's outcome comes back.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.training import executors
from cnnviz.training.config import TrainingConfig
from cnnviz.training.data import stored_metadata
from cnnviz.training.events import Failed, Finished, Stopped, TrainingResult
from cnnviz.training.executors.remote import JobSpec
from cnnviz.training.progress import friendly_error
from cnnviz.training.records import TimeCap
from cnnviz.training.run import Outcome, TrainingRun
from cnnviz.training.scheduler import SCHEDULER, next_number, register

_LOG = logging.getLogger(__name__)
SCHEDULER.set_capacity(lambda: executors.executor().capacity())
STATUSES = ("queued", "running", "stopping", "finished", "stopped", "failed")
DONE_STATUSES = ("finished", "stopped", "failed")


class TrainingJob:
    """Train a model on a dataset away from the pages, publishing progress events.

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
        executor: an executor key (``"local"``, ``"ray"``, ``"thread"``); default the
            server's (:func:`cnnviz.training.executors.chosen_key`). A job given a ``model``
            or callbacks other than the time cap runs in a thread: those live here.

    Attributes:
        id: registry key (``get_job(id)`` finds the job again).
        model: the trained model, the one that is saved (None until trained; from another
            process it is loaded from the outcome's bytes when first read).
        kind: the config's :class:`~cnnviz.training.kinds.RunKind`.
        history: per-epoch metrics, ``{"loss": [...], "accuracy": [...], ...}``.
        result: a :class:`TrainingResult` once finished or stopped, else None.
        error: the message of a failed job, else None.
        params: the trained model's parameter count (0 until trained).
        executor_key: the executor that runs the job.
        worker_pid: the worker process training it (local executor), else None.
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
        executor: str | None = None,
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
        self._model = model
        self._model_bytes: bytes | None = None
        self.history: dict[str, list[float]] = {}
        self.result: TrainingResult | None = None
        self.error: str | None = None
        self.device: str | None = None
        self.params = 0
        self.created = time.time()
        self.page = page  # the app page that started the job (the sidebar links to it)
        self.kind = self.config.run_kind  # classifier, transfer, autoencoder... (a RunKind)
        self.run: TrainingRun | None = None  # the run, while it trains in this process
        self._preprocessing = None  # the model's input preprocessing, once trained
        self._kind_run = None  # the kind's part of the run, when it trained in this process
        self._snapshots = None  # its EpochSnapshots callback, likewise
        self.peak_rss_mb: float | None = None
        self.worker_pid: int | None = None
        self.worker_node: str | None = None  # the Ray node's address
        callbacks = list(callbacks or [])
        self._caps = [c for c in callbacks if isinstance(c, TimeCap)]
        self._extra_callbacks = callbacks
        self._want_snapshots = bool(snapshots)
        lives_here = model is not None or len(self._caps) != len(callbacks)
        self.executor_key = "thread" if lives_here else (executor or executors.chosen_key())
        self._status = "new"
        self._events: list = []
        self._lock = threading.Lock()
        self._stop_requested = threading.Event()
        self._done = threading.Event()
        self._completed = False
        self._traceback: str | None = None

    @property
    def where(self) -> str:
        """Where it trains, in words: "a worker process on this machine", "lab computer …"."""
        if self.executor_key == "thread":
            return "the server process"
        if self.executor_key == "ray":
            return f"lab computer {self.worker_node}" if self.worker_node else "the lab cluster"
        return "a worker process on this machine"

    @property
    def kind_run(self):
        """The kind's part of the run (while and after it trains in this process), or None."""
        return self.run.kind_run if self.run is not None else self._kind_run

    @property
    def snapshots(self):
        """The epoch snapshots callback of a run in this process, or None."""
        return self.run.snapshots if self.run is not None else self._snapshots

    @property
    def preprocessing(self):
        """How the model wants its pixels (a ``Preprocessing``), once known."""
        if self.run is not None and self.run.preprocessing is not None:
            return self.run.preprocessing
        return self._preprocessing

    @property
    def model(self):
        """The model: the live one while it trains here, then the trained one.

        A model trained in another process is loaded from the outcome's bytes when first read.
        """
        if self._model is None and self.run is not None:
            return self.run.model
        if self._model is None and self._model_bytes is not None:
            import tempfile
            from pathlib import Path

            from cnnviz.store.keras_files import load_keras_file

            with tempfile.TemporaryDirectory(prefix="cnnviz-job-model-") as tmp:
                path = Path(tmp) / "model.keras"
                path.write_bytes(self._model_bytes)
                self._model = load_keras_file(path)
        return self._model

    @model.setter
    def model(self, value) -> None:
        self._model = value

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
        """Register the job and run it now, or queue it when the executor is busy."""
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
            return
        with self._lock:
            running = self._status == "running"
            if running:
                self._status = "stopping"
        if running:
            executors.get(self.executor_key).stop(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is done; True if it is."""
        return self._done.wait(timeout)

    def _set_status(self, status: str) -> None:
        with self._lock:
            self._status = status

    def launch(self) -> None:
        """Hand the job to its executor now (the scheduler calls this when a place is free)."""
        if self._stop_requested.is_set():  # stopped while leaving the queue
            self._set_status("stopped")
            self.emit(Stopped("Stopped before training started."))
            self._done.set()
            SCHEDULER.release(self)
            return
        self._set_status("running")
        try:
            executors.get(self.executor_key).launch(self)
        except BaseException as exc:  # an executor that cannot take it: the job fails
            self.fail(friendly_error(exc))

    def spec(self) -> JobSpec:
        """What a worker needs to train this job (the stored model's files to continue)."""
        files = {}
        if self.config.continue_from and self.store is not None:
            files = self.store.model_files(self.config.continue_from, self.owner)
        cap = min((c.seconds for c in self._caps), default=0.0)
        return JobSpec(
            job_id=self.id,
            dataset=self.dataset,
            config=self.config,
            owner=self.owner,
            snapshots=self._want_snapshots,
            time_cap=float(cap),
            continue_files=files,
        )

    # ---- the work ---------------------------------------------------------------

    def run_here(self) -> None:
        """Train in this process (the thread executor's job thread calls this)."""
        self.run = TrainingRun(
            self.dataset,
            self.config,
            emit=self.emit,
            should_stop=self._stop_requested.is_set,
            store=self.store,
            owner=self.owner,
            model=self._model,
            callbacks=self._extra_callbacks,
            snapshots=self._want_snapshots,
        )
        try:
            outcome = self.run.run()
        except BaseException as exc:  # run() catches its own; this is a last guard
            outcome = Outcome(status="failed", error=friendly_error(exc))
        self._kind_run, self._snapshots = self.run.kind_run, self.run.snapshots
        self.complete(outcome)

    def fail(self, message: str) -> None:
        """End the job as failed with ``message`` (a dead worker, a lost node...)."""
        self.complete(Outcome(status="failed", error=message))

    def complete(self, outcome: Outcome) -> None:
        """Save the run's model, publish the last event and free the job's place (once)."""
        with self._lock:
            if self._completed:
                return
            self._completed = True
        try:
            self._complete(outcome)
        except BaseException as exc:  # saving failed (quota, disk): the job failed
            self.error = friendly_error(exc)
            _LOG.warning("training job %s could not be saved: %s", self.id, exc)
            self._set_status("failed")
            self.emit(Failed(self.error))
        finally:
            self.run = None
            self._done.set()
            SCHEDULER.release(self)

    def _complete(self, outcome: Outcome) -> None:
        for cap in self._caps:
            cap.reached = cap.reached or outcome.cap_reached
        self.device = outcome.device or self.device
        self.history = dict(outcome.history or {})
        self.peak_rss_mb = outcome.peak_rss_mb
        if outcome.status == "failed":
            self.error = outcome.error or "Training failed."
            self._traceback = outcome.traceback
            if outcome.traceback:
                _LOG.warning("training job %s failed:\n%s", self.id, outcome.traceback)
            self._set_status("failed")
            self.emit(Failed(self.error))
            return
        if outcome.status == "not_started":
            self._set_status("stopped")
            self.emit(Stopped("Stopped before training started; nothing was saved."))
            return
        self.params = int(outcome.params)
        if outcome.preprocessing:
            self._preprocessing = Preprocessing.from_dict(outcome.preprocessing)
        if outcome.model is not None:
            self._model = outcome.model
        self._model_bytes = outcome.model_bytes
        model_id = self._save(outcome) if self.store else None
        self.result = TrainingResult(
            status=outcome.status,
            test_loss=outcome.evaluation.loss,
            test_accuracy=outcome.evaluation.accuracy,
            evaluation=outcome.evaluation,
            model_id=model_id,
            epochs_run=outcome.epochs_run,
            seconds=outcome.seconds,
        )
        self._set_status(outcome.status)
        if outcome.status == "stopped":
            self.emit(Stopped(f"Stopped in epoch {outcome.epochs_run}: {outcome.summary}."))
        else:
            self.emit(Finished(f"Finished: {outcome.summary}."))

    def _save(self, outcome: Outcome) -> str:
        metadata = stored_metadata(self, outcome)
        if outcome.model is not None:
            model_id = self.store.save(outcome.model, metadata)
        else:
            model_id = self.store.save_keras_bytes(outcome.model_bytes, metadata)
        if outcome.snapshots:
            self.store.save_snapshots(model_id, outcome.snapshots)
        return model_id
