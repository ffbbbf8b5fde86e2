"""Comparing models on one image, or on a set of images.

On one image: each model's top-k with its latency, and where they agree. On a set of images:
how often two models give the same first guess.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.models import predictions
from cnnviz.models.imagemodel import ImageModel
from cnnviz.pretrained.model import PretrainedModel


@dataclass
class Prediction:
    """One model's answer for one image.

    Attributes:
        name: catalogue key; title: display name.
        seen: (h, w, 3) uint8, the resized input the model received.
        top: (class index, class name, probability) best first.
        latency_ms: wall time of preprocessing plus the forward pass.
        params: number of weights; top1: published ImageNet top-1 accuracy (%).
    """

    name: str
    title: str
    seen: np.ndarray
    top: list[tuple[int, str, float]]
    latency_ms: float
    params: int
    top1: float | None


def predict(model: PretrainedModel, image: np.ndarray, k: int = 5) -> Prediction:
    """Top-k classes of one RGB image, with the time it took.

    Args:
        model: from :func:`load`.
        image: (H, W, 3) uint8 RGB, any size (it is resized to ``model.input_size``).
        k: how many classes to keep.

    Returns:
        The prediction, including the resized image the model saw.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"Expected an RGB image (H, W, 3), got shape {image.shape}.")
    start = time.perf_counter()
    seen = model.resize(image)
    probs = model.probabilities(model.logits_of_input(model.preprocessing.apply(seen)))
    latency = (time.perf_counter() - start) * 1000
    top = predictions.top_k(probs, model.class_names, k)[0]
    spec = model.spec
    return Prediction(
        name=spec.name if spec else model.name,
        title=model.title,
        seen=seen[0],
        top=top,
        latency_ms=latency,
        params=model.params,
        top1=model.top1,
    )


@dataclass
class Agreement:
    """How several models' top-k answers for the same image overlap.

    Attributes:
        models: model titles, in the order given.
        classes: every class in at least one top-k, most agreed-on first: (index, name).
        probabilities: (len(models), len(classes)) float32 in [0, 1]; the probability each
            model gives each class, NaN where the class is outside that model's top-k.
        top1: each model's best class name.
        shared_top1: the class every model ranks first, or None.
        shared_topk: class names in every model's top-k.
        votes: for each class in ``classes``, how many models have it in their top-k.
    """

    models: list[str]
    classes: list[tuple[int, str]]
    probabilities: np.ndarray
    top1: list[str]
    shared_top1: str | None
    shared_topk: list[str]
    votes: list[int]


def agreement(predictions: Sequence[Prediction]) -> Agreement:
    """Summarise where models agree: shared top-1, classes in every top-k, a vote table.

    Args:
        predictions: one per model, for the same image.

    Returns:
        The summary; classes are sorted by number of models listing them, then by mean
        probability among those models.
    """
    if not predictions:
        raise InputError("Choose at least one model to compare.")
    table: dict[int, dict[int, float]] = {}
    names: dict[int, str] = {}
    for m, pred in enumerate(predictions):
        for idx, cname, p in pred.top:
            table.setdefault(idx, {})[m] = p
            names[idx] = cname

    def rank(idx: int) -> tuple[int, float]:
        row = table[idx]
        return (-len(row), -float(np.mean(list(row.values()))))

    order = sorted(table, key=rank)
    probs = np.full((len(predictions), len(order)), np.nan, dtype=np.float32)
    for j, idx in enumerate(order):
        for m, p in table[idx].items():
            probs[m, j] = p
    top1 = [pred.top[0][1] for pred in predictions]
    shared_top1 = top1[0] if len(set(top1)) == 1 else None
    n = len(predictions)
    return Agreement(
        models=[pred.title for pred in predictions],
        classes=[(idx, names[idx]) for idx in order],
        probabilities=probs,
        top1=top1,
        shared_top1=shared_top1,
        shared_topk=[names[idx] for idx in order if len(table[idx]) == n],
        votes=[len(table[idx]) for idx in order],
    )


@dataclass
class Top1Agreement:
    """Two models' first guesses for the same images.

    Attributes:
        images: image names, in the order given.
        first: the first model's best class per image, (class index, class name, probability).
        second: the same for the second model.
        same: per image, True when both models put the same class first.
    """

    images: list[str]
    first: list[tuple[int, str, float]]
    second: list[tuple[int, str, float]]
    same: list[bool]

    @property
    def count(self) -> int:
        """How many images get the same first guess from both models."""
        return sum(self.same)

    @property
    def share(self) -> float:
        """The agreement: share of the images whose top-1 class is the same, in [0, 1]."""
        return self.count / len(self.same)


def top1_agreement(
    first: ImageModel, second: ImageModel, images: Mapping[str, np.ndarray]
) -> Top1Agreement:
    """Put the same images through two models and count the matching first guesses.

    Each model resizes and preprocesses the images its own way, as for a single prediction.

    Args:
        first: a model (e.g. an ImageNet classifier).
        second: a model with the same class list (another ImageNet classifier, or the same
            network at another input size, see :func:`cnnviz.pretrained.with_input_size`).
        images: name → (H, W, 3) uint8 RGB image, any sizes; not changed.

    Returns:
        Each model's top-1 per image and which ones match; ``share`` is the agreement.

    Raises:
        InputError: no images, or models whose classes differ.
    """
    if not images:
        raise InputError("Give at least one image to compare the two models on.")
    if list(first.class_names) != list(second.class_names):
        raise InputError(
            f"{first.name} and {second.name} do not answer with the same classes, so their "
            "first guesses cannot be compared."
        )
    names = list(images)
    batch = [np.asarray(images[name]) for name in names]
    first_top = [top[0] for top in first.top_k(batch, 1)]
    second_top = [top[0] for top in second.top_k(batch, 1)]
    return Top1Agreement(
        images=names,
        first=first_top,
        second=second_top,
        same=[a[0] == b[0] for a, b in zip(first_top, second_top, strict=True)],
    )
