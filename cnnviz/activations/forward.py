"""Per-layer activations from ONE forward pass, from what the caller has (RGB or model input)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from cnnviz import models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel


def model_input(model: models.ModelLike, images) -> np.ndarray:
    """Build the model's input batch from what the caller has.

    Args:
        model: an ``ImageModel`` or a ``keras.Model``.
        images: for an ``ImageModel``: RGB uint8 images, one (H, W, 3) or a batch / list of
            them of any size (resized to ``input_size`` and preprocessed here). For a bare
            ``keras.Model``: an already preprocessed float batch (N, H, W, C) matching the
            model input, or one such image (H, W, C).

    Returns:
        (N, h, w, C) float32 model input (a new array; ``images`` is not modified).

    Raises:
        InputError: wrong shape, empty batch, or sizes that do not match the model.
    """
    if isinstance(model, ImageModel):
        if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[0] == 0:
            raise InputError("No image given.")
        if isinstance(images, (list, tuple)) and not images:
            raise InputError("No image given.")
        return model.preprocess(images)
    expected = models.input_shape(model)
    x = np.array(images, dtype=np.float32, copy=True)
    if x.ndim == len(expected):
        x = x[None]
    if x.ndim != len(expected) + 1 or x.shape[0] == 0:
        raise InputError(
            f"Expected a batch of shape (N, {', '.join(map(str, expected))}), got {x.shape}."
        )
    for got, want in zip(x.shape[1:], expected, strict=True):
        if want is not None and got != want:
            raise InputError(
                f"The model expects inputs of shape {expected}, got {x.shape[1:]}: resize "
                "and preprocess first, or pass an ImageModel with raw RGB images."
            )
    return x


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------


def layer_activations(
    model: models.ModelLike, images, layer_names: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Outputs of many layers from a single forward pass.

    One sub-model with one output per requested layer is built (and cached per model and
    layer list), then called once with ``training=False``. Nested models are flattened, so
    their inner layers can be requested by name (see :func:`cnnviz.models.layer_infos`).

    Args:
        model: an ``ImageModel`` (``images`` are RGB uint8, any size) or a ``keras.Model``
            (``images`` are the preprocessed (N, H, W, C) float input); see
            :func:`model_input`.
        images: see ``model``; a single image gets a batch axis of 1.
        layer_names: layer keys in the order wanted; ``None`` means every layer.

    Returns:
        ``{layer key: activations}``, in the order of ``layer_names``; each value is a
        float32 array with the batch axis first: (N, H, W, C) for convolution-like layers,
        (N, units) for dense ones. Values are the layer's raw outputs (any real range).

    Raises:
        InputError: unknown layer name, or images that do not fit the model.
    """
    names = models.layer_names(model) if layer_names is None else list(layer_names)
    if not names:
        raise InputError("Pick at least one layer.")
    x = model_input(model, images)
    sub = models.multi_output_model(model, names)
    outputs = sub(x, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {
        name: np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32)
        for name, out in zip(names, outputs, strict=True)
    }
