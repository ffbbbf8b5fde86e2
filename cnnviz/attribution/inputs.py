"""What every method starts from: the differentiable batch, the classes asked for, logits.

Gradients are always taken of the **logits** (:func:`cnnviz.models.logits_model`),
never of softmax probabilities, which saturate and give vanishing maps.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import activations, autodiff, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel

COMPILED = models.ModelCache(maxsize=16)
"""Compiled forward and gradient functions of every method, per model."""


@dataclass(frozen=True)
class Batch:
    """The differentiable input of a batch and how it reaches the model.

    ``x`` is what gradients are taken with respect to: resized RGB pixels 0..255 for an
    ``ImageModel`` (``preprocessing`` is then applied inside the graph), or the model
    input itself for a bare ``keras.Model`` (``preprocessing`` is ``None``).
    """

    model: models.ModelLike
    x: np.ndarray  # (N, h, w, C) float32
    preprocessing: object | None

    @classmethod
    def make(cls, model: models.ModelLike, images) -> Batch:
        """The batch for ``images`` (see the class docstring); ``images`` is not modified."""
        if isinstance(model, ImageModel):
            if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[0] == 0:
                raise InputError("No image given.")
            x = model.resize(images).astype(np.float32)
            return cls(model, x, model.preprocessing)
        return cls(model, activations.model_input(model, images), None)

    def to_model(self, x):
        """Tensor ``x`` (like ``self.x``) → model input tensor, differentiably."""
        if self.preprocessing is None:
            return x
        return self.preprocessing.apply(x, ops=keras.ops)

    @property
    def size(self) -> tuple[int, int]:
        """(h, w) of the images the model sees."""
        return int(self.x.shape[1]), int(self.x.shape[2])

    @property
    def fill(self) -> np.ndarray:
        """A neutral grey per channel: 127.5 in pixel space, else each image's mean."""
        if self.preprocessing is not None:
            return np.full((len(self.x), 1, 1, self.x.shape[-1]), 127.5, np.float32)
        return self.x.mean(axis=(1, 2), keepdims=True)

    @property
    def value_range(self) -> np.ndarray:
        """(N,) spread of each image's values (full range for a constant image)."""
        spread = self.x.max(axis=(1, 2, 3)) - self.x.min(axis=(1, 2, 3))
        full = 255.0 if self.preprocessing is not None else 1.0
        return np.where(spread > 0, spread, full).astype(np.float32)


def class_ids(class_index, n: int, classes: int) -> np.ndarray:
    """Normalise ``class_index`` to (n,) int32, -1 meaning "top-1 of that image"."""
    if class_index is None:
        return np.full(n, -1, np.int32)
    values = np.atleast_1d(np.asarray(class_index))
    if values.dtype.kind not in "iu" or values.ndim != 1:
        raise InputError(
            f"class_index must be an integer or a list of integers, got {class_index!r}."
        )
    if values.size == 1:
        values = np.repeat(values, n)
    if values.size != n:
        raise InputError(
            f"Got {values.size} class indices for {n} images; give one, or one per image."
        )
    bad = values[(values < 0) | (values >= classes)]
    if bad.size:
        raise InputError(
            f"Class {int(bad[0])} does not exist: the model has {classes} classes "
            f"(0..{classes - 1})."
        )
    return values.astype(np.int32)


def class_score(logits, ids):
    """Per-sample score of the chosen class, and the classes chosen.

    Args:
        logits: (N, K) tensor. K = 1 is a single-unit binary classifier: class 1 scores
            ``z``, class 0 scores ``-z``.
        ids: (N,) int32 tensor, -1 meaning the top-1 class.

    Returns:
        ``(scores (N,), chosen (N,) int32)``.
    """
    ops = keras.ops
    ids = ops.cast(ids, "int32")
    if logits.shape[-1] == 1:
        z = logits[:, 0]
        chosen = ops.where(ids < 0, ops.cast(z > 0, "int32"), ids)
        return z * ops.cast(2 * chosen - 1, z.dtype), chosen
    top = ops.cast(ops.argmax(logits, axis=-1), "int32")
    chosen = ops.where(ids < 0, top, ids)
    return ops.sum(logits * ops.one_hot(chosen, logits.shape[-1], dtype=logits.dtype), -1), chosen


def forward_function(batch: Batch):
    """Compiled ``x -> logits``, cached per model."""
    km = models.keras_model(batch.model)

    def build():
        logits_model = models.logits_model(batch.model)
        return autodiff.compile_function(lambda x: logits_model(batch.to_model(x), training=False))

    return COMPILED.get(km, ("forward", batch.preprocessing), build)
