"""Where a model stops being linear: its final softmax/sigmoid, and the ReLU of a layer.

Gradients of saturated probabilities vanish, so the inspection modules read logits: a final
Dense with softmax/sigmoid is replaced by its linear part (:class:`Linear`, sharing the same
weights). Lucid's "pre_relu" objectives read a layer's value before its ReLU the same way.
"""

from __future__ import annotations

from typing import Any

import keras

from cnnviz.models.graph import ModelLike, is_graph_model, keras_model
from cnnviz.models.imagemodel import ImageModel

_PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


class Linear(keras.layers.Layer):
    """The linear part of an existing Dense or Conv layer, sharing its weights (no copy)."""

    def __init__(self, layer: keras.layers.Layer, **kwargs: Any) -> None:
        super().__init__(name=f"{layer.name}_linear", **kwargs)
        self.inner = layer

    def call(self, x):
        """The layer's linear output: kernel product plus bias, no activation."""
        layer = self.inner
        if isinstance(layer, keras.layers.Dense):
            y = keras.ops.matmul(x, layer.kernel)
        else:
            y = layer.convolution_op(x, layer.kernel)
        if layer.use_bias:
            bias = layer.bias
            if not isinstance(layer, keras.layers.Dense) and layer.data_format == "channels_first":
                bias = keras.ops.reshape(bias, (1, -1) + (1,) * (len(x.shape) - 2))
            y = y + bias
        return y

    def compute_output_shape(self, input_shape):
        """The wrapped layer's output shape."""
        return self.inner.compute_output_shape(input_shape)


_RELU_FAMILY = ("relu", "relu6")


def _has_linear_part(op: Any) -> bool:
    return isinstance(op, keras.layers.Dense) or (
        isinstance(op, keras.layers.Conv2D) and hasattr(op, "convolution_op")
    )


def pre_activation_output(op: Any, args: tuple) -> Any:
    """Symbolic value of ``op``'s output before a ReLU/ReLU6, or ``None`` if it has none."""
    if isinstance(op, keras.layers.ReLU) or (
        isinstance(op, keras.layers.Activation) and _activation_name(op) in _RELU_FAMILY
    ):
        return args[0]
    if _has_linear_part(op) and _activation_name(op) in _RELU_FAMILY:
        return Linear(op)(args[0])
    return None


def _activation_name(layer: Any) -> str | None:
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", None)


def final_operation(model: keras.Model) -> Any:
    """The layer that produces the model's output, descending into nested models."""
    if isinstance(model, keras.Sequential):
        op = model.layers[-1] if model.layers else None
    elif hasattr(model, "outputs") and model.outputs and len(model.outputs) == 1:
        # Private: Keras has no public "layer that made this tensor"; the symbolic tensor's
        # history names it. Guarded by tests/cnnviz/models/test_keras_private_apis.py.
        op = model.outputs[0]._keras_history[0]
    else:
        return None
    return final_operation(op) if is_graph_model(op) else op


def ends_in_probabilities(model: keras.Model) -> bool:
    """True when the model's last operation is a softmax or sigmoid (it outputs probabilities)."""
    op = final_operation(model)
    if op is None:
        return False
    name = _activation_name(op)
    return name in _PROBABILITY_ACTIVATIONS and isinstance(
        op, (keras.layers.Dense, keras.layers.Activation, keras.layers.Softmax)
    )


def outputs_logits(model: ModelLike) -> bool:
    """Whether ``model``'s raw output is logits rather than probabilities.

    An ``ImageModel`` says so itself (``outputs_logits``); for a ``keras.Model`` the final
    layer is inspected: a Dense/Activation/Softmax layer ending in softmax or sigmoid
    means probabilities.
    """
    if isinstance(model, ImageModel):
        return bool(model.outputs_logits)
    return not ends_in_probabilities(keras_model(model))
