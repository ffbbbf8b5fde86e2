"""How a training job reports: the progress callback inside ``fit``, and friendly errors."""

from __future__ import annotations

import math
import threading
import time

import keras
import numpy as np

from cnnviz.errors import InputError
from cnnviz.training.events import BATCH_EVENTS_PER_SECOND, BatchEnd, EpochEnd


def friendly_error(exc: BaseException) -> str:
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


class ProgressCallback(keras.callbacks.Callback):
    """Turns fit's callbacks into events, cheaply.

    ``async_safe`` lets Keras run batch-end hooks on its worker threads, exactly as it does
    for a plain ``fit(verbose=0)``, so the training loop never waits for us. Batch events
    are throttled; stop requests are checked at every batch.
    """

    async_safe = True

    def __init__(self, job, epochs: int, steps: int, batch_size: int, samples: int):
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
        """Start timing a new epoch."""
        with self._lock:
            self._epoch = epoch
            self._epoch_start = time.perf_counter()
            self._last_batch = -1
            self._batches_done = 0
            self._rate_mark = None
            self.epochs_started = epoch + 1

    def on_train_batch_begin(self, batch, logs=None):
        """Honour a stop request before the batch runs."""
        if self.job.stop_requested:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        """Measure the speed and publish a (throttled) :class:`BatchEnd`."""
        # Runs on a Keras worker thread; several may overlap, hence the lock.
        if self.job.stop_requested:
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
            self.job.emit(event)

    def on_epoch_end(self, epoch, logs=None):
        """Publish the epoch's :class:`EpochEnd` with its metrics and speed."""
        if self.job.stop_requested:  # asked during validation
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
            self.job.emit(event)


def _maybe_float(value) -> float | None:
    return None if value is None else float(value)
