"""Adversarial examples: the fast gradient sign method (FGSM, Goodfellow et al. 2015).

FGSM moves every pixel by ε in the direction that raises the classification loss the
most, to first order: ``x_adv = clip(x + ε · sign(∇ₓ loss(x, y)), 0, 1)`` with ``x`` in
0..1 pixel units and the cross-entropy computed from logits (softmax outputs saturate and
give zero gradients). The gradient does not depend on ε, so an accuracy-against-ε curve
needs one gradient pass and then one batched forward pass per ε.

Gradients go through :mod:`cnnviz.autodiff`, as for every attribution method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import keras
import numpy as np

from cnnviz import autodiff, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel

BATCH_SIZE = 256


def _check_epsilon(epsilon: float) -> float:
    eps = float(epsilon)
    if not (0.0 <= eps <= 1.0) or not np.isfinite(eps):
        raise InputError(f"ε must be between 0 and 1 (in 0..1 pixel units); got {epsilon}.")
    return eps


def _pixels01(model, images) -> tuple[np.ndarray, bool]:
    """Images as (N, H, W, C) float32 in 0..1, and whether they came as uint8 RGB."""
    if isinstance(model, ImageModel):
        return model.resize(images).astype(np.float32) / 255.0, True
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise InputError(f"Expected a batch of images (N, H, W, C); got shape {x.shape}.")
    return x, False


_COMPILED = models.ModelCache(maxsize=8)


def _loss_for(model) -> _Loss:
    """One compiled loss per Keras model and preprocessing (no retracing on each call)."""
    km = models.keras_model(model)
    pre = model.preprocessing if isinstance(model, ImageModel) else None
    return _COMPILED.get(km, ("fgsm", pre), lambda: _Loss(model))


class _Loss:
    """Per-sample cross-entropy from logits of 0..1 pixels, and its gradient (compiled)."""

    def __init__(self, model):
        self.logits_model = models.logits_model(model)
        pre = model.preprocessing if isinstance(model, ImageModel) else None

        def logits(x01):
            x = pre.apply(x01 * 255.0, ops=keras.ops) if pre is not None else x01
            z = self.logits_model(x, training=False)
            if z.shape[-1] == 1:  # one sigmoid unit: logits (0, z) give the same softmax
                z = keras.ops.concatenate([keras.ops.zeros_like(z), z], axis=-1)
            return z

        def loss(x01, labels):
            z = logits(x01)
            return keras.ops.sparse_categorical_crossentropy(labels, z, from_logits=True)

        def loss_and_grad(x01, labels):
            return autodiff.value_and_grad(lambda x: loss(x, labels), x01)

        self._logits = autodiff.compile_function(logits)
        self._grad = autodiff.compile_function(loss_and_grad)

    def logits(self, x01: np.ndarray) -> np.ndarray:
        out = [
            keras.ops.convert_to_numpy(self._logits(x01[i : i + BATCH_SIZE]))
            for i in range(0, len(x01), BATCH_SIZE)
        ]
        return np.concatenate(out).astype(np.float32)

    def gradient_sign(self, x01: np.ndarray, labels: np.ndarray) -> np.ndarray:
        out = []
        for i in range(0, len(x01), BATCH_SIZE):
            _, grad = self._grad(x01[i : i + BATCH_SIZE], labels[i : i + BATCH_SIZE])
            out.append(np.sign(keras.ops.convert_to_numpy(grad)))
        return np.concatenate(out).astype(np.float32)


def _labels(class_index, n: int, predicted: np.ndarray) -> np.ndarray:
    if class_index is None:
        return predicted.astype(np.int32)
    labels = np.broadcast_to(np.asarray(class_index, dtype=np.int64), (n,))
    return labels.astype(np.int32)


def _step(x01: np.ndarray, sign: np.ndarray, eps: float, as_uint8: bool) -> np.ndarray:
    """Apply an FGSM step; uint8 results move by whole levels, never more than ε."""
    if as_uint8:
        levels = np.floor(eps * 255.0 + 1e-6)  # |Δ| ≤ ε after rounding to 0..255
        pixels = np.round(x01 * 255.0) + levels * sign
        return np.clip(pixels, 0, 255).astype(np.uint8)
    return np.clip(x01 + eps * sign, 0.0, 1.0).astype(np.float32)


def fgsm(model, images, epsilon: float, class_index: int | Sequence[int] | None = None):
    """Adversarial images by one fast-gradient-sign step.

    Args:
        model: ``ImageModel`` (images (N, H, W, 3) or one (H, W, 3) uint8 RGB, resized to
            the model's input size) or ``keras.Model`` (float images (N, H, W, C) in 0..1).
        images: the clean images; not modified.
        epsilon: the largest change of a pixel, in 0..1 pixel units (8/255 ≈ 0.03 is a
            common choice).
        class_index: the class whose score the step lowers: ``None`` (each image's
            predicted class), one int, or one int per image (e.g. the true labels).

    Returns:
        The adversarial images, (N, h, w, 3) uint8 for an ``ImageModel`` (each pixel moved
        by at most ``floor(255 ε)`` levels), (N, H, W, C) float32 in 0..1 otherwise.
    """
    eps = _check_epsilon(epsilon)
    x01, as_uint8 = _pixels01(model, images)
    loss = _loss_for(model)
    predicted = np.argmax(loss.logits(x01), axis=-1) if class_index is None else None
    labels = _labels(class_index, len(x01), predicted)
    return _step(x01, loss.gradient_sign(x01, labels), eps, as_uint8)


@dataclass
class EpsilonCurve:
    """Accuracy and loss of a model on FGSM images, one value per ε.

    Attributes:
        epsilons: (E,) float in 0..1 pixel units.
        accuracy: (E,) share of adversarial images still classified as their label.
        loss: (E,) mean cross-entropy on them.
    """

    epsilons: np.ndarray
    accuracy: np.ndarray
    loss: np.ndarray


def accuracy_curve(model, images, labels: Sequence[int], epsilons: Sequence[float]) -> EpsilonCurve:
    """Accuracy against ε: one gradient pass, then one batched forward pass per ε.

    Args:
        model: as :func:`fgsm`.
        images: test images (N, H, W, C) as :func:`fgsm` takes them.
        labels: (N,) true class of each image (the step raises its loss).
        epsilons: the ε values, each in 0..1.

    Returns:
        An :class:`EpsilonCurve`; at ε = 0 its accuracy is the clean accuracy.
    """
    eps_values = np.asarray([_check_epsilon(e) for e in epsilons], dtype=np.float64)
    x01, as_uint8 = _pixels01(model, images)
    labels = np.asarray(labels, dtype=np.int32).reshape(-1)
    if len(labels) != len(x01):
        raise InputError(f"Give one label per image: {len(x01)} images, {len(labels)} labels.")
    loss = _loss_for(model)
    sign = loss.gradient_sign(x01, labels)
    accuracy, mean_loss = [], []
    for eps in eps_values:
        adv = _step(x01, sign, float(eps), as_uint8)
        adv01 = adv.astype(np.float32) / 255.0 if as_uint8 else adv
        logits = loss.logits(adv01)
        accuracy.append(float(np.mean(np.argmax(logits, axis=-1) == labels)))
        z = logits - logits.max(axis=-1, keepdims=True)  # stable log-softmax
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        mean_loss.append(float(-np.mean(log_p[np.arange(len(labels)), labels])))
    return EpsilonCurve(eps_values, np.asarray(accuracy), np.asarray(mean_loss))


@dataclass(frozen=True)
class AttackVerdict:
    """What an attack did to one image's prediction, in the words a page shows.

    Attributes:
        label: a short verdict ("fooled", "still right", "still wrong", "now right",
            "same answer", "answer changed").
        tone: ``"bad"`` only when the attack made a right answer wrong, ``"good"`` when a
            right answer stays right, ``"neutral"`` otherwise (no truth to judge by, or the
            model was already wrong).
        sentence: one plain sentence that says what the answers are compared against.
    """

    label: str
    tone: Literal["bad", "good", "neutral"]
    sentence: str


def attack_verdict(
    before: str, after: str, truth: str | None, whose: str = "your"
) -> AttackVerdict:
    """Judge an attack against the true class, else against the first answer (and say so).

    "Fooled" means the model was right before the attack and is wrong after it. A model that
    was already wrong is never "fooled": the sentence says it misread the image to begin
    with, and says so when the attack happens to turn it into the true class.

    Args:
        before: the class the model predicts for the clean image.
        after: the class it predicts for the attacked image.
        truth: the true class (what the student drew, a test image's label), or ``None``
            when it is not known.
        whose: how the sentence names the image's class ("your 7", "this 7").

    Returns:
        An :class:`AttackVerdict`.
    """
    if truth is None:
        compared = "This compares with the model's own first answer, not with the truth."
        if before == after:
            return AttackVerdict(
                "same answer", "neutral", f"The attack leaves the answer at {before}. {compared}"
            )
        return AttackVerdict(
            "answer changed",
            "neutral",
            f"The attack changes the answer from {before} to {after}. {compared}",
        )
    thing = f"{whose} {truth}"
    if before == truth:
        if after == truth:
            return AttackVerdict(
                "still right",
                "good",
                f"The model reads {thing} right, before and after the attack.",
            )
        return AttackVerdict(
            "fooled",
            "bad",
            f"Fooled: the model read {thing} right, and after the attack it reads {after}.",
        )
    already = f"The model already misreads {thing} as {before}, before any attack"
    if after == truth:
        return AttackVerdict(
            "now right",
            "neutral",
            f"{already}; the attack happens to turn it into {truth}, the true answer. That is "
            "not fooling the model: it was wrong to begin with.",
        )
    if after == before:
        return AttackVerdict(
            "still wrong", "neutral", f"{already}; the attack leaves it at {before}."
        )
    return AttackVerdict(
        "still wrong", "neutral", f"{already}; the attack turns it into {after}, still wrong."
    )
