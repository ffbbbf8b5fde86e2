"""A stored autoencoder's last losses beside the ones the course printed, and why they differ."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnviz.autoencoder.config import COURSE

# How each dataset the page offers is named in the comparison (28 × 28 grayscale digits).
DATASET_WORDS = {
    "digits": "scikit-learn's 8 × 8 digits upscaled to 28 × 28",
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
}


@dataclass(frozen=True)
class LossRow:
    """One run's settings and last losses (the course's or a stored model's).

    Attributes:
        who: ``"The course"`` or ``"This run"``.
        data: what it trained on, with the number of training images.
        epochs, batch_size: its training length and batch.
        params: parameters of its network.
        loss, val_loss: training and validation loss after its last epoch (NaN: none).
    """

    who: str
    data: str
    epochs: int
    batch_size: int
    params: int
    loss: float
    val_loss: float

    def line(self) -> str:
        """One plain-text line: ``The course (MNIST, 60,000 …): loss 0.1196, validation 0.1171``."""
        val = f"{self.val_loss:.4f}" if math.isfinite(self.val_loss) else "none"
        return (
            f"{self.who} ({self.data}, {self.params:,} parameters, batch {self.batch_size}, "
            f"{self.epochs} epochs): loss {self.loss:.4f}, validation loss {val}"
        )


@dataclass(frozen=True)
class CourseComparison:
    """The course's printed losses beside a stored run's, and one sentence on the gap.

    Attributes:
        course, ours: the two rows.
        comparable: False when the run's loss is not the course's binary cross-entropy.
        why: one sentence on why the numbers may differ.
    """

    course: LossRow
    ours: LossRow
    comparable: bool
    why: str


def _last(values) -> float:
    try:
        return float(list(values)[-1])
    except (IndexError, TypeError, ValueError):
        return math.nan


def compare_with_course(meta: dict) -> CourseComparison | None:
    """The course's losses (0.1196 / 0.1171) beside a stored autoencoder's last ones.

    Args:
        meta: the store metadata of an autoencoder (history, training settings, dataset).

    Returns:
        None when the run has no training loss to show.
    """
    history = meta.get("history") or {}
    loss = _last(history.get("loss"))
    if not math.isfinite(loss):
        return None
    training = meta.get("training") or {}
    settings = meta.get("autoencoder") or training.get("autoencoder") or {}
    name = (meta.get("dataset") or {}).get("name", "")
    images = int(settings.get("train_images") or 0)
    words = DATASET_WORDS.get(name, str(name))
    data = f"{words}, {images:,} training images" if images else words
    epochs = len(history.get("loss") or [])
    batch = int(training.get("batch_size") or 0)
    params = int(meta.get("params") or 0)
    course = LossRow(
        "The course",
        f"{COURSE.dataset}, {COURSE.train_images:,} training images",
        COURSE.epochs,
        COURSE.batch_size,
        COURSE.params,
        COURSE.loss,
        COURSE.val_loss,
    )
    ours = LossRow("This run", data, epochs, batch, params, loss, _last(history.get("val_loss")))
    comparable = settings.get("loss", COURSE.loss_name) == COURSE.loss_name
    return CourseComparison(course, ours, comparable, _why(name, images, ours, settings))


def _why(name: str, images: int, ours: LossRow, settings: dict) -> str:
    """One sentence on why this run's losses may differ from the course's."""
    if settings.get("loss", COURSE.loss_name) != COURSE.loss_name:
        return (
            "These numbers cannot be compared: this run measured mean squared error, the "
            "course binary cross-entropy."
        )
    reasons = []
    if name != "mnist":
        reasons.append(
            f"it trained on {DATASET_WORDS.get(name, name)} "
            f"({images:,} training images), not on MNIST's {COURSE.train_images:,}"
            if images
            else f"it trained on {DATASET_WORDS.get(name, name)}, not on MNIST"
        )
    elif images and images < COURSE.train_images:
        reasons.append(f"it trained on {images:,} of MNIST's {COURSE.train_images:,} images")
    if ours.epochs != COURSE.epochs:
        reasons.append(f"for {ours.epochs} epochs instead of {COURSE.epochs}")
    if ours.batch_size and ours.batch_size != COURSE.batch_size:
        reasons.append(f"with batches of {ours.batch_size} instead of {COURSE.batch_size}")
    if ours.params and ours.params != COURSE.params:
        reasons.append(f"with a {ours.params:,}-parameter network instead of the course's")
    level = settings.get("noise_level")
    if isinstance(level, (int, float)) and float(level) != COURSE.noise_level:
        reasons.append(f"at noise {float(level):g} instead of {COURSE.noise_level:g}")
    if settings.get("validation", "test") != "test":
        reasons.append("validated on held-out training images instead of the noisy test set")
    chance = (
        "starting weights and noise are random (the course noised its images once, this run "
        "draws fresh noise for every batch)"
    )
    if not reasons:
        return f"The settings are the course's, so they differ only by chance: the {chance}."
    return f"They may differ because {'; '.join(reasons)}; and the {chance}."
