"""The CAM family's shared shape: feature maps of a layer, weighted per channel.

A CAM method is :class:`CAMMethod` with its own :meth:`CAMMethod.channel_weights`; the
forward pass to (feature maps, logits), the gradient of the class logit with respect to
the maps, and the weighted sum are done here once. Channel weights are pooled **per
sample**, so a batch gives the same maps as single images.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import autodiff, models
from cnnviz.attribution.base import AttributionMethod
from cnnviz.attribution.inputs import COMPILED, Batch, class_score


def _cam_function(batch: Batch, layer_name: str):
    """Compiled ``(delta, x, ids) -> ((score, (maps, chosen)), d score / d maps)``, cached."""
    km = models.keras_model(batch.model)

    def build():
        injected = models.injected_model(batch.model, layer_name)

        def score(delta, x, ids):
            maps, logits = injected([batch.to_model(x), delta], training=False)
            scores, chosen = class_score(logits, ids)
            return scores, (maps, chosen)

        return autodiff.compile_function(
            lambda delta, x, ids: autodiff.value_and_grad(score, delta, x, ids, has_aux=True)
        )

    return COMPILED.get(km, ("cam", layer_name, batch.preprocessing), build)


@dataclass(frozen=True)
class CAMMethod(AttributionMethod):
    """Class activation maps: ReLU(sum over channels of weight x feature map).

    Subclasses override only :meth:`channel_weights`.
    """

    uses_layer: bool = True

    def raw_maps(self, batch, ids, layer_name, **options):
        """Weighted sum of the layer's maps; weights from :meth:`channel_weights`."""
        if options:
            raise TypeError(f"{self.label} takes no options, got {sorted(options)}.")
        fn = _cam_function(batch, layer_name)
        shape = models.layer_info(batch.model, layer_name).output_shape
        delta = np.zeros((len(batch.x), *shape), np.float32)
        (_, (maps, chosen)), grads = fn(delta, batch.x, ids)
        maps = np.asarray(keras.ops.convert_to_numpy(maps), np.float64)
        grads = np.asarray(keras.ops.convert_to_numpy(grads), np.float64)
        weights = self.channel_weights(maps, grads)  # (n, C), pooled per sample
        cam = np.einsum("nhwc,nc->nhw", maps, weights)
        return cam, keras.ops.convert_to_numpy(chosen)

    def channel_weights(self, maps: np.ndarray, grads: np.ndarray) -> np.ndarray:
        """Weight of each channel, per sample.

        Args:
            maps: (n, h, w, C) feature maps A.
            grads: (n, h, w, C) gradients of the class logit with respect to A.

        Returns:
            (n, C) weights.
        """
        raise NotImplementedError
