"""Grad-CAM and Grad-CAM++: two ways to weight a layer's feature maps by their gradients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import models
from cnnviz.attribution.base import register
from cnnviz.attribution.cam import CAMMethod


@dataclass(frozen=True)
class GradCAM(CAMMethod):
    """Grad-CAM: channel weight = spatial mean of the gradient (Selvaraju et al., 2017)."""

    key: str = "gradcam"
    title: str = "Grad-CAM"
    help: str = (
        "weights each feature map of a layer by how much the class score grows with it "
        "(mean gradient), adds them up and keeps the positive part. Coarse but "
        "class-specific."
    )

    def channel_weights(self, maps, grads):
        """Global-average-pooled gradients, per sample: (n, C)."""
        return grads.mean(axis=(1, 2))


@dataclass(frozen=True)
class GradCAMPlusPlus(CAMMethod):
    """Grad-CAM++: positive gradients weighted by alpha (Chattopadhyay et al., 2018).

    With the class score ``exp(logit)``, higher derivatives are powers of the first one:
    ``alpha = g^2 / (2 g^2 + sum_ab(A) g^3)``, weight = ``sum_ab(alpha * relu(g))``.
    """

    key: str = "gradcam++"
    title: str = "Grad-CAM++"
    help: str = (
        "like Grad-CAM, but weights only positive gradients, pixel by pixel; often covers "
        "all of an object when it appears more than once."
    )

    def channel_weights(self, maps, grads):
        """Alpha-weighted sum of positive gradients, per sample: (n, C)."""
        g2 = grads**2
        g3 = g2 * grads
        sum_maps = maps.sum(axis=(1, 2), keepdims=True)
        denominator = 2 * g2 + sum_maps * g3
        safe = np.where(denominator != 0, denominator, 1.0)
        alpha = np.where(denominator != 0, g2 / safe, 0.0)
        return (alpha * np.maximum(grads, 0.0)).sum(axis=(1, 2))


GRAD_CAM = register(GradCAM())
GRAD_CAM_PLUS_PLUS = register(GradCAMPlusPlus())


def grad_cam(
    model: models.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
) -> np.ndarray:
    """Grad-CAM heatmaps.

    Args:
        model: ``ImageModel`` (RGB uint8 images, any size) or ``keras.Model``
            (preprocessed (N, H, W, C) float input).
        images: one image or a batch / list; not modified.
        class_index: ``None`` (top-1 per image), one int, or one int per image.
        layer_name: feature-map layer; default: the last 4-D output with height and width
            above 1.

    Returns:
        heatmaps, (N, h, w) float32 in [0, 1], (h, w) the model's input size.
    """
    return GRAD_CAM(model, images, class_index, layer_name).heatmaps


def grad_cam_plus_plus(
    model: models.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
) -> np.ndarray:
    """Grad-CAM++ heatmaps; arguments and result as :func:`grad_cam`."""
    return GRAD_CAM_PLUS_PLUS(model, images, class_index, layer_name).heatmaps
