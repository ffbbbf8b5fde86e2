"""Unwrapping and describing a model: the Keras model behind it, its input, its layers.

Models can be given as a ``keras.Model`` or as a :class:`cnnviz.models.ImageModel`; layer
*keys* are the Keras layer names (see :func:`cnnviz.models.layer_infos`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras

from cnnviz.errors import InputError
from cnnviz.models.imagemodel import ImageModel

ModelLike = Any  # keras.Model or ImageModel; kept loose so jax/torch backends type-check alike


def keras_model(model: ModelLike) -> keras.Model:
    """The ``keras.Model`` behind ``model`` (an ``ImageModel`` or a ``keras.Model``)."""
    if isinstance(model, ImageModel):
        model = model.model
    if not isinstance(model, keras.Model):
        raise InputError(f"Expected a Keras model, got {type(model).__name__}.")
    return model


def is_graph_model(op: Any) -> bool:
    """True for models whose layer graph can be walked (Functional and Sequential)."""
    return isinstance(op, keras.Model) and (
        isinstance(op, keras.Sequential) or hasattr(op, "_run_through_graph")
    )


def keras_input_shape(model: keras.Model) -> tuple:
    """The single input's shape, batch axis first; InputError when unbuilt or multi-input."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise InputError(
            f"Model {model.name!r} has no defined input shape yet (it was never built). "
            "Build it with keras.Input(shape=...) first."
        )
    if len(inputs) != 1:
        raise InputError(
            f"Model {model.name!r} has {len(inputs)} inputs; only single-image models are "
            "supported."
        )
    return tuple(inputs[0].shape)


def input_shape(model: ModelLike) -> tuple:
    """The model's input shape without the batch axis, e.g. ``(32, 32, 3)``."""
    return keras_input_shape(keras_model(model))[1:]


@dataclass(frozen=True)
class LayerInfo:
    """One layer of the flattened model, as listed to a student.

    Attributes:
        name: the key to pass as ``layer_name`` / in ``layer_names``.
        class_name: Keras class, e.g. ``"Conv2D"``.
        output_shape: output shape without the batch axis, e.g. ``(16, 16, 32)``; ``None``
            for unknown sizes.
        params: number of weights (0 for parameter-free layers).
        nested_in: name of the nested model holding the layer, ``""`` at top level.
    """

    name: str
    class_name: str
    output_shape: tuple
    params: int
    nested_in: str = ""

    @property
    def is_spatial(self) -> bool:
        """True when the output is a stack of 2-D maps (N, H, W, C)."""
        return len(self.output_shape) == 3

    @property
    def is_conv(self) -> bool:
        """True for convolution layers (Conv2D, DepthwiseConv2D, SeparableConv2D...)."""
        return "Conv" in self.class_name and "Transpose" not in self.class_name
