"""Live training: ``model.fit`` in a background thread that publishes progress events.

A :class:`TrainingJob` builds a model for a dataset, trains it in a daemon thread and pushes
small event objects (:class:`JobStarted`, :class:`BatchEnd`, :class:`EpochEnd`, then one of
:class:`Finished`, :class:`Stopped`, :class:`Failed`) into a thread-safe list that a page
polls. A server-wide scheduler runs at most ``CNNVIZ_MAX_JOBS`` jobs at a time (default: 1
on CPU, 2 on a GPU); the others wait in a first-in-first-out queue that reports their
position. Jobs live in a module-level registry keyed by id, so a job keeps running while
its student visits other pages; the page only keeps the job id.

Model inputs follow :func:`cnnviz.preprocessing.unit`: pixels scaled to 0..1 with the
dataset's channels. Scaling and augmentation run inside a training-only wrapper model, so
the model that is evaluated and saved contains neither.

Example (no server needed)::

    job = TrainingJob(datasets.load("shapes"), TrainingConfig(epochs=2))
    job.start()
    job.wait()
    print(job.status, job.result.test_accuracy)
"""

from __future__ import annotations

import collections
import itertools
import logging
import math
import os
import threading
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import keras
import numpy as np

from cnnviz.datasets import stratified_split
from cnnviz.errors import InputError
from cnnviz.evaluation import Evaluation, evaluate
from cnnviz.preprocessing import unit

_LOG = logging.getLogger(__name__)
DEFAULT_ARCHITECTURE = "mnist_cnn"
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine")
FLIP_MODES = ("none", "horizontal", "vertical", "horizontal_and_vertical")
STATUSES = ("queued", "running", "stopping", "finished", "stopped", "failed")
DONE_STATUSES = ("finished", "stopped", "failed")
# At most this many per-batch events per second: enough for smooth curves, cheap to make.
BATCH_EVENTS_PER_SECOND = 10.0
# Finished jobs kept in the registry per owner (older ones are forgotten).
KEEP_FINISHED_PER_OWNER = 3


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Augmentation:
    """Random changes applied to training batches only (Keras preprocessing layers).

    Attributes:
        flip: one of ``FLIP_MODES``.
        rotation: maximum rotation as a fraction of a full turn, in [0, 0.5] (0.1 = ±36°).
        shift: maximum shift as a fraction of the image height / width, in [0, 0.5].
        zoom: maximum zoom in or out as a fraction, in [0, 0.9].
        contrast: maximum contrast change as a fraction, in [0, 1].
    """

    flip: str = "none"
    rotation: float = 0.0
    shift: float = 0.0
    zoom: float = 0.0
    contrast: float = 0.0

    @property
    def active(self) -> bool:
        """True when at least one augmentation is switched on."""
        return self.flip != "none" or any(
            v > 0 for v in (self.rotation, self.shift, self.zoom, self.contrast)
        )

    def validate(self) -> None:
        """Raise ``InputError`` naming the first value out of range."""
        if self.flip not in FLIP_MODES:
            raise InputError(f"Flip must be one of {', '.join(FLIP_MODES)}; got {self.flip!r}.")
        limits = {"rotation": 0.5, "shift": 0.5, "zoom": 0.9, "contrast": 1.0}
        for name, top in limits.items():
            value = getattr(self, name)
            if not (0.0 <= float(value) <= top):
                raise InputError(f"Augmentation {name} must be between 0 and {top}; got {value}.")

    def layers(self, seed: int | None = None) -> list:
        """The Keras preprocessing layers, working on pixel values in 0..255.

        Args:
            seed: makes the random draws repeatable.

        Returns:
            A list of layers (empty when nothing is switched on).
        """
        self.validate()
        out = []
        if self.flip != "none":
            out.append(keras.layers.RandomFlip(self.flip, seed=seed))
        if self.rotation > 0:
            out.append(keras.layers.RandomRotation(self.rotation, fill_mode="nearest", seed=seed))
        if self.shift > 0:
            out.append(
                keras.layers.RandomTranslation(
                    self.shift, self.shift, fill_mode="nearest", seed=seed
                )
            )
        if self.zoom > 0:
            out.append(keras.layers.RandomZoom(self.zoom, fill_mode="nearest", seed=seed))
        if self.contrast > 0:
            out.append(keras.layers.RandomContrast(self.contrast, value_range=(0, 255), seed=seed))
        return out

    def apply(self, images: np.ndarray, seed: int = 0) -> np.ndarray:
        """Augment a batch once, as training would (for the preview grid).

        Args:
            images: (N, H, W, C) uint8 in 0..255.
            seed: repeatable random draws.

        Returns:
            (N, H, W, C) uint8 augmented copies; the input is not changed.
        """
        images = np.asarray(images)
        layers = self.layers(seed=seed)
        if not layers or len(images) == 0:
            return images.copy()
        x = images.astype(np.float32)
        for layer in layers:
            x = layer(x, training=True)
        return np.clip(np.round(keras.ops.convert_to_numpy(x)), 0, 255).astype(np.uint8)

    @classmethod
    def from_dict(cls, data: dict | None) -> Augmentation:
        """Inverse of ``dataclasses.asdict``."""
        data = dict(data or {})
        return cls(
            flip=str(data.get("flip", "none")),
            **{k: float(data.get(k, 0.0)) for k in ("rotation", "shift", "zoom", "contrast")},
        )


@dataclass
class TrainingConfig:
    """What to train and how.

    Attributes:
        architecture: a preset name from ``cnnviz.architectures.available()`` or a layer
            spec (list of dicts) for ``cnnviz.architectures.build_from_spec``.
        optimizer: ``"adam"``, ``"rmsprop"`` or ``"sgd"`` (SGD uses momentum 0.9).
        learning_rate: step size, > 0.
        schedule: ``"cosine"`` lowers the learning rate smoothly to 5% by the last step
            (steadier final accuracy); ``"constant"`` keeps it.
        batch_size: images per training step, ≥ 1.
        epochs: passes over the training set, ≥ 1.
        validation_split: fraction of the training set held out (stratified) for
            validation when the dataset has no validation set, in [0, 0.5]; 0 = none.
        dropout: None keeps the architecture's dropout rates; a rate in [0, 1) replaces
            them all (and adds one dropout layer before the output if there is none).
        early_stopping: patience in epochs on the validation loss (0 = off); the best
            weights are restored.
        seed: seed for initial weights, the validation split and augmentation.
        augmentation: random changes applied to training batches only.
        mixed_precision: float16 compute with float32 weights; None = automatically on a
            GPU only; True forces it (slow on a CPU). The saved model is always float32.
    """

    architecture: str | list = DEFAULT_ARCHITECTURE
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "cosine"
    batch_size: int = 32
    epochs: int = 5
    validation_split: float = 0.1
    dropout: float | None = None
    early_stopping: int = 0
    seed: int = 0
    augmentation: Augmentation = field(default_factory=Augmentation)
    mixed_precision: bool | None = None

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting."""
        if self.optimizer not in OPTIMIZERS:
            raise InputError(
                f"Optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}."
            )
        if not (0 < float(self.learning_rate) <= 10):
            raise InputError(f"Learning rate must be > 0 (e.g. 0.001); got {self.learning_rate}.")
        if self.schedule not in SCHEDULES:
            raise InputError(
                f"Schedule must be one of {', '.join(SCHEDULES)}; got {self.schedule!r}."
            )
        if int(self.batch_size) < 1:
            raise InputError(f"Batch size must be at least 1; got {self.batch_size}.")
        if int(self.epochs) < 1:
            raise InputError(f"Epochs must be at least 1; got {self.epochs}.")
        if not (0 <= float(self.validation_split) <= 0.5):
            raise InputError(
                f"Validation split must be between 0 and 0.5; got {self.validation_split}."
            )
        if self.dropout is not None and not (0 <= float(self.dropout) < 1):
            raise InputError(f"Dropout must be in [0, 1); got {self.dropout}.")
        if int(self.early_stopping) < 0:
            raise InputError(f"Early-stopping patience must be ≥ 0; got {self.early_stopping}.")
        if not isinstance(self.architecture, (str, list, tuple)):
            raise InputError("The architecture must be a preset name or a list of layers.")
        self.augmentation.validate()

    @property
    def architecture_name(self) -> str:
        """The preset name, or ``"custom"`` for a layer spec."""
        return self.architecture if isinstance(self.architecture, str) else "custom"

    def to_dict(self) -> dict:
        """JSON-ready form (stored with the model)."""
        data = asdict(self)
        data["architecture"] = (
            self.architecture if isinstance(self.architecture, str) else list(self.architecture)
        )
        return data


def recommended_config(dataset_name: str) -> TrainingConfig:
    """Defaults tuned so a student can just press Train (see ``bench/training.py``).

    ``shapes`` (32×32, 4,800 images) reaches ~99% test accuracy in 10 epochs with the MNIST
    CNN; ``digits`` (1,438 upscaled images) needs small shifts for ~98%. Each takes under a
    minute on 2 CPU cores.

    Args:
        dataset_name: a ``cnnviz.datasets`` name, or anything else for an uploaded set.
    """
    if dataset_name == "shapes":
        return TrainingConfig(architecture="mnist_cnn", epochs=10, learning_rate=2e-3)
    if dataset_name == "find_shapes":  # small figures among clutter: a CAM-style network
        return TrainingConfig(architecture="cam_cnn", epochs=15, learning_rate=3e-3)
    if dataset_name == "digits":
        return TrainingConfig(
            architecture="mnist_cnn",
            epochs=20,
            learning_rate=2e-3,
            augmentation=Augmentation(shift=0.1),
        )
    if dataset_name == "faces":
        return TrainingConfig(architecture="mnist_cnn", epochs=15, validation_split=0.15)
    if dataset_name in ("mnist", "fashion_mnist"):
        arch = "mnist_cnn" if dataset_name == "mnist" else "fashion_cnn"
        return TrainingConfig(architecture=arch, epochs=3, batch_size=64)
    if dataset_name == "cifar10":
        return TrainingConfig(
            architecture="cifar10_cnn",
            epochs=10,
            batch_size=64,
            augmentation=Augmentation(flip="horizontal", shift=0.1),
        )
    return TrainingConfig(
        architecture="mnist_cnn", epochs=10, augmentation=Augmentation(flip="horizontal")
    )


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class JobStarted:
    """Training began on ``device``.

    Attributes:
        device: e.g. ``"GPU (NVIDIA H100)"`` or ``"CPU (2 cores)"``.
        mixed_precision: float16 compute in use.
        params: trainable + non-trainable parameter count.
        epochs: planned epochs.
        steps: batches per epoch.
        batch_size: images per batch.
        train_samples: training images.
        val_samples: validation images (0 = no validation).
    """

    device: str
    mixed_precision: bool
    params: int
    epochs: int
    steps: int
    batch_size: int
    train_samples: int
    val_samples: int


@dataclass(frozen=True)
class BatchEnd:
    """Progress inside an epoch (throttled to ~``BATCH_EVENTS_PER_SECOND``).

    Attributes:
        epoch: 1-based epoch number.
        batch: batches done in this epoch, 1..steps.
        steps: batches per epoch.
        loss: running mean training loss of this epoch.
        accuracy: running mean training accuracy of this epoch, in [0, 1].
        images_per_sec: recent training throughput.
        eta: estimated seconds left for the whole job (None until measurable).
    """

    epoch: int
    batch: int
    steps: int
    loss: float
    accuracy: float
    images_per_sec: float
    eta: float | None


@dataclass(frozen=True)
class EpochEnd:
    """One epoch done (also after a partial epoch when stopped).

    Attributes:
        epoch: 1-based epoch number.
        loss / accuracy: training metrics of the epoch (accuracy in [0, 1]).
        val_loss / val_accuracy: validation metrics, None without validation data.
        seconds: wall time of the epoch, validation included.
        images_per_sec: training images per second over the epoch.
        eta: estimated seconds left for the whole job.
    """

    epoch: int
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    seconds: float
    images_per_sec: float
    eta: float | None


@dataclass(frozen=True)
class Finished:
    """Training ran to the end (or early stopping ended it); the model is evaluated."""

    message: str


@dataclass(frozen=True)
class Stopped:
    """The student stopped the job; the model as trained so far is evaluated and kept."""

    message: str


@dataclass(frozen=True)
class Failed:
    """Something went wrong; ``message`` says what."""

    message: str


Event = JobStarted | BatchEnd | EpochEnd | Finished | Stopped | Failed


@dataclass
class TrainingResult:
    """What a finished or stopped job produced.

    Attributes:
        status: ``"finished"`` or ``"stopped"``.
        test_loss: mean cross-entropy on the test set.
        test_accuracy: test accuracy in [0, 1].
        evaluation: predictions on the test set, for reports and example grids.
        model_id: id in the model store, None when no store was given.
        epochs_run: epochs that started (the last may be partial).
        seconds: training wall time.
    """

    status: str
    test_loss: float
    test_accuracy: float
    evaluation: Evaluation
    model_id: str | None
    epochs_run: int
    seconds: float


# --------------------------------------------------------------------------- device


_DEVICE: str | None = None


def cpu_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gpu_name() -> str | None:
    """Name of the first GPU the Keras backend can use, or None without one."""
    try:
        devices = keras.distribution.list_devices("gpu")
    except Exception:  # a backend without GPU support raises here
        return None
    if not devices:
        return None
    name = "GPU"
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", name)
        elif backend == "jax":
            import jax

            name = jax.devices("gpu")[0].device_kind
        elif backend == "torch":
            import torch

            name = torch.cuda.get_device_name(0)
    except Exception:  # the name is cosmetic; keep "GPU"
        pass
    return name


def detect_device() -> str:
    """The device training runs on, in words: ``"GPU (name)"`` or ``"CPU (n cores)"``."""
    global _DEVICE
    if _DEVICE is None:
        gpu = gpu_name()
        _DEVICE = f"GPU ({gpu})" if gpu else f"CPU ({cpu_cores()} cores)"
    return _DEVICE


def has_gpu() -> bool:
    """True when training runs on a GPU."""
    return detect_device().startswith("GPU")


def max_concurrent_jobs() -> int:
    """Server-wide limit on running jobs: ``CNNVIZ_MAX_JOBS``, default 1 on CPU, 2 on a GPU."""
    value = os.environ.get("CNNVIZ_MAX_JOBS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    return 2 if has_gpu() else 1


# --------------------------------------------------------------------------- scheduler


class _Scheduler:
    """Runs at most ``max_concurrent_jobs()`` jobs; the rest wait first-in, first-out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: list[TrainingJob] = []
        self._waiting: collections.deque[TrainingJob] = collections.deque()

    def submit(self, job: TrainingJob) -> None:
        with self._lock:
            start = len(self._running) < max_concurrent_jobs() and not self._waiting
            if start:
                self._running.append(job)
            else:
                self._waiting.append(job)
        if start:
            job._launch()

    def cancel(self, job: TrainingJob) -> bool:
        """Remove a waiting job; True when it was still waiting."""
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
                return True
            return False

    def release(self, job: TrainingJob) -> None:
        """A running job ended: start the next waiting ones."""
        to_start = []
        with self._lock:
            if job in self._running:
                self._running.remove(job)
            while self._waiting and len(self._running) < max_concurrent_jobs():
                nxt = self._waiting.popleft()
                self._running.append(nxt)
                to_start.append(nxt)
        for nxt in to_start:
            nxt._launch()

    def position(self, job: TrainingJob) -> int:
        """1-based place in the queue; 0 when not waiting."""
        with self._lock:
            try:
                return self._waiting.index(job) + 1
            except ValueError:
                return 0

    def counts(self) -> tuple[int, int]:
        """(running, waiting) job counts."""
        with self._lock:
            return len(self._running), len(self._waiting)


SCHEDULER = _Scheduler()
_REGISTRY: dict[str, TrainingJob] = {}
_REGISTRY_LOCK = threading.Lock()
# keras.utils.set_random_seed touches process-wide generators (Python, NumPy, TensorFlow):
# seeding and building happen under this lock so concurrent jobs do not interleave.
_SETUP_LOCK = threading.Lock()
_COUNTER = itertools.count(1)


def get_job(job_id: str | None) -> TrainingJob | None:
    """The job with this id, or None (unknown or forgotten)."""
    if not job_id:
        return None
    with _REGISTRY_LOCK:
        return _REGISTRY.get(job_id)


def jobs(owner: str | None = None) -> list[TrainingJob]:
    """Registered jobs, oldest first; only ``owner``'s when given."""
    with _REGISTRY_LOCK:
        items = list(_REGISTRY.values())
    return [j for j in items if owner is None or j.owner == owner]


def _register(job: TrainingJob) -> None:
    with _REGISTRY_LOCK:
        _REGISTRY[job.id] = job
        done = [j for j in _REGISTRY.values() if j.owner == job.owner and j.done]
        for old in done[:-KEEP_FINISHED_PER_OWNER]:
            del _REGISTRY[old.id]


# --------------------------------------------------------------------------- helpers


def make_optimizer(
    name: str, learning_rate: float, schedule: str = "constant", total_steps: int = 0
):
    """A Keras optimizer: Adam, RMSprop, or SGD with momentum 0.9.

    Args:
        name: one of ``OPTIMIZERS``.
        learning_rate: initial step size.
        schedule: ``"constant"``, or ``"cosine"`` (decays to 5% over ``total_steps``).
        total_steps: training steps of the whole job (for the cosine schedule).
    """
    if schedule not in SCHEDULES:
        raise InputError(f"Schedule must be one of {', '.join(SCHEDULES)}; got {schedule!r}.")
    lr = float(learning_rate)
    if schedule == "cosine" and total_steps > 0:
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=int(total_steps), alpha=0.05)
    if name == "adam":
        return keras.optimizers.Adam(lr)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr)
    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=0.9)
    raise InputError(f"Optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}.")


def build_model(config: TrainingConfig, input_shape: tuple, num_classes: int):
    """Build the (uncompiled) classifier a config describes.

    Args:
        config: architecture name or layer spec, dropout and seed.
        input_shape: (H, W, C) of the dataset.
        num_classes: number of classes (2 classes give one sigmoid unit).

    Returns:
        A Keras model taking (N, H, W, C) float32 in [0, 1].
    """
    from cnnviz import architectures

    if isinstance(config.architecture, str):
        hyper = {"seed": int(config.seed)}
        if config.dropout is not None:
            hyper["dropout"] = float(config.dropout)
        return architectures.build(
            config.architecture, tuple(input_shape), int(num_classes), **hyper
        )
    spec = list(config.architecture)
    if config.dropout is not None:
        spec = architectures.apply_hyperparameters(spec, dropout=float(config.dropout))
    return architectures.build_from_spec(
        spec, tuple(input_shape), int(num_classes), seed=int(config.seed)
    )


def training_wrapper(model, input_shape: tuple, augmentation: Augmentation, seed: int):
    """A model for ``fit`` only: uint8 pixels → augmentation → scale to 0..1 → ``model``.

    The wrapped ``model`` shares its weights, so training the wrapper trains it, while the
    model that is saved contains neither scaling nor augmentation.

    Args:
        model: classifier taking (N, H, W, C) float32 in [0, 1].
        input_shape: (H, W, C).
        augmentation: random layers, active only while training.
        seed: augmentation seed.

    Returns:
        A Keras model taking (N, H, W, C) uint8 in 0..255.
    """
    inputs = keras.Input(tuple(input_shape), dtype="uint8", name="pixels")
    x = keras.layers.Rescaling(1.0, name="to_float")(inputs)  # cast only, values 0..255
    for layer in augmentation.layers(seed=seed):
        x = layer(x)
    x = keras.layers.Rescaling(1.0 / 255.0, name="to_unit")(x)
    return keras.Model(inputs, model(x), name="training_wrapper")


def _output_units(model) -> int:
    return int(model.outputs[0].shape[-1])


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


# --------------------------------------------------------------------------- progress callback


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


# --------------------------------------------------------------------------- the job


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
                if self.model is None:
                    self.model = build_model(cfg, input_shape, num_classes)
                wrapper = training_wrapper(self.model, input_shape, cfg.augmentation, cfg.seed)
            finally:
                keras.config.set_dtype_policy("float32")
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
            mixed = wanted and not self._given_model
            batch_size = int(min(cfg.batch_size, len(x_tr)))
            steps = math.ceil(len(x_tr) / batch_size)
            epochs = int(cfg.epochs)
            wrapper = self._setup(input_shape, num_classes, mixed, steps * epochs)
            progress = _ProgressCallback(self, epochs, steps, batch_size, len(x_tr))
            callbacks = [progress, *self._extra_callbacks]
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
            evaluation = evaluate(self.model, ds.x_test, ds.y_test, ds.class_names)
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
            "input_shape": [int(v) for v in ds.x_train.shape[1:]],
            "preprocessing": unit(grayscale=channels == 1).to_dict(),
            "history": self.history,
            "test_metrics": evaluation.metrics(),
            "training": self.config.to_dict(),
            "device": self.device,
            "seconds": round(seconds, 2),
            "status": status,
            "params": int(self.model.count_params()),
        }
        return self.store.save(self.model, metadata)
