"""The input-gradient family's shared shape: maps from d class logit / d pixel.

A gradient method is :class:`GradientMethod` with its own
:meth:`GradientMethod.input_gradients`; the map is the largest absolute gradient over the
colour channels. For an ``ImageModel`` the gradient flows through its preprocessing, so it
is per RGB pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import autodiff, models
from cnnviz.attribution.base import AttributionMethod
from cnnviz.attribution.inputs import COMPILED, Batch, class_score


def _input_gradient_function(batch: Batch):
    """Compiled ``(x, ids) -> ((score, chosen), d score / d x)``, cached per model."""
    km = models.keras_model(batch.model)

    def build():
        logits_model = models.logits_model(batch.model)

        def score(x, ids):
            logits = logits_model(batch.to_model(x), training=False)
            scores, chosen = class_score(logits, ids)
            return scores, chosen

        return autodiff.compile_function(
            lambda x, ids: autodiff.value_and_grad(score, x, ids, has_aux=True)
        )

    return COMPILED.get(km, ("input-grad", batch.preprocessing), build)


def gradients_at(batch: Batch, x: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """D class logit / d ``x`` for inputs ``x`` like ``batch.x``.

    Returns:
        ``(gradients (n, h, w, C), chosen classes (n,) int32)``.
    """
    (_, chosen), grads = _input_gradient_function(batch)(x.astype(np.float32), ids)
    return keras.ops.convert_to_numpy(grads), keras.ops.convert_to_numpy(chosen)


@dataclass(frozen=True)
class GradientMethod(AttributionMethod):
    """Maps from gradients of the class logit with respect to the input pixels.

    Subclasses override :meth:`input_gradients`; the map is the largest absolute gradient
    over colour channels.
    """

    def raw_maps(self, batch, ids, layer_name, **options):
        """Largest absolute gradient over colour channels: (n, h, w)."""
        grads, chosen = self.input_gradients(batch, ids, **options)
        return np.abs(grads).max(axis=-1), chosen

    def input_gradients(self, batch: Batch, ids: np.ndarray, **options):
        """(n, h, w, C) gradients and (n,) chosen classes."""
        raise NotImplementedError
