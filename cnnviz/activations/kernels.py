"""The first convolution's kernels as small RGB images."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel


@dataclass(frozen=True)
class Kernels:
    """The first convolution's kernels as pictures.

    Attributes:
        layer_name: the convolution layer's key.
        images: (K, kh, kw, 3) uint8 RGB, one per output channel; each kernel is scaled
            to 0..255 by its own min..max (grey for a constant kernel). For a grayscale
            model the three channels are equal; for a BGR (``caffe``) model they are flipped
            back to RGB.
        weights: (kh, kw, in_channels, K) float32, the raw kernel.
    """

    layer_name: str
    images: np.ndarray
    weights: np.ndarray


def first_conv_kernels(model: models.ModelLike) -> Kernels:
    """The kernels of the model's first Conv2D layer, as small RGB images.

    Args:
        model: ``keras.Model`` or ``ImageModel``.

    Returns:
        :class:`Kernels`.

    Raises:
        InputError: when the model has no Conv2D layer.
    """
    km = models.keras_model(model)
    layer, key = None, ""
    for info in models.layer_infos(model):
        if info.class_name in ("Conv2D", "Convolution2D"):
            layer, key = _find_layer(km, info.name.split("/")[-1].split("#")[0]), info.name
            if layer is not None:
                break
    if layer is None:
        raise InputError("This model has no Conv2D layer, so there are no kernels to show.")
    weights = np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype=np.float32)
    kernels = weights.transpose(3, 0, 1, 2)  # (K, kh, kw, in)
    in_ch = kernels.shape[-1]
    if in_ch == 3:
        rgb = kernels
        if isinstance(model, ImageModel) and model.preprocessing.bgr:
            rgb = rgb[..., ::-1]
    else:  # grayscale (1) or unusual inputs: show the mean over input channels as grey
        rgb = np.repeat(kernels.mean(axis=-1, keepdims=True), 3, axis=-1)
    lo = rgb.min(axis=(1, 2, 3), keepdims=True)
    hi = rgb.max(axis=(1, 2, 3), keepdims=True)
    span = hi - lo
    scaled = np.where(span > 0, (rgb - lo) / np.where(span > 0, span, 1.0), 0.5)
    images = np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)
    return Kernels(layer_name=key, images=images, weights=weights)


def _find_layer(model: keras.Model, name: str):
    """Find a layer by name, searching nested models too."""
    for layer in model.layers:
        if layer.name == name:
            return layer
        if isinstance(layer, keras.Model):
            found = _find_layer(layer, name)
            if found is not None:
                return found
    return None
