"""Events a training job publishes, and the result it leaves."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.models.evaluation import Evaluation

# At most this many per-batch events per second: enough for smooth curves, cheap to make.
BATCH_EVENTS_PER_SECOND = 10.0


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
class Extracting:
    """Transfer learning: the frozen base runs over a split once (features are cached).

    Attributes:
        split: ``"train"``, ``"validation"`` or ``"test"``.
        done: images done so far.
        total: images in the split.
        images_per_sec: extraction speed (0 when read from the cache).
        cached: True when the features came from the disk cache.
    """

    split: str
    done: int
    total: int
    images_per_sec: float
    cached: bool


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


Event = JobStarted | Extracting | BatchEnd | EpochEnd | Finished | Stopped | Failed


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
