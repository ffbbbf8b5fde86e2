"""Sub-models of a model, built once and cached: several layers at once, logits, one layer.

* **Nested models** (a ``Sequential`` or ``keras.applications`` base used as one layer of a
  bigger model) are *flattened*: their inner layers are reachable by name as if they were
  layers of the outer model.
* **Softmax outputs**: :func:`logits_model` stops before the final softmax/sigmoid and reuses
  the same weights, because gradients of saturated probabilities vanish.
* **Shared, cached models are never mutated.** Sub-models are new functional models that
  call the existing layers (sharing their weights); nothing is cloned or modified.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from cnnviz.errors import InputError
from cnnviz.models.cache import MODEL_CACHE
from cnnviz.models.graph import ModelLike, is_graph_model, keras_input_shape, keras_model
from cnnviz.models.imagemodel import ImageModel
from cnnviz.models.layers import layer_info
from cnnviz.models.logits import ends_in_probabilities
from cnnviz.models.trace import cached_trace, trace_graph


def multi_output_model(
    model: ModelLike,
    layer_names: Sequence[str],
    *,
    logits: bool = False,
    with_output: bool = False,
) -> keras.Model:
    """A model computing several layers' outputs in one forward pass (cached).

    Args:
        model: ``keras.Model`` or ``ImageModel`` (its ``.model``); never modified.
        layer_names: layer keys (see :func:`layer_infos`), outputs in this order.
        logits: when the model ends in softmax/sigmoid, give the final layer's output as
            logits (see :func:`logits_model`); other layers are unaffected.
        with_output: also return the model's final output as the last output.

    Returns:
        A functional ``keras.Model``: one input (the model's input), a list of outputs
        (Keras returns a bare tensor when there is only one). Call it with
        ``training=False``.
    """
    names = tuple(layer_names)
    traced = cached_trace(model, logits=logits)
    for name in names:
        if name not in traced.taps:
            layer_info(model, name)  # raises a helpful InputError
    outputs = [traced.taps[n] for n in names]
    if with_output:
        outputs.append(traced.output)

    def build() -> keras.Model:
        return keras.Model(traced.inputs[0], outputs, name="cnnviz_layers")

    return MODEL_CACHE.get(keras_model(model), ("multi", names, logits, with_output), build)


def logits_model(model: ModelLike) -> keras.Model:
    """A model with the same input whose output is the pre-activation logits.

    If the final layer is a Dense with softmax/sigmoid (or a Softmax / Activation layer), a
    NEW functional model is built that reuses every layer up to it and applies only the
    linear part of the final Dense, with the same weight variables. Models that already
    output logits are returned as they are. The original model is never modified.

    Args:
        model: ``keras.Model`` or ``ImageModel`` (an ``ImageModel`` with
            ``outputs_logits=True`` is trusted).

    Returns:
        A ``keras.Model`` mapping the model input to logits, (N, K) float32.
    """
    km = keras_model(model)
    if isinstance(model, ImageModel) and model.outputs_logits:
        return km
    if not is_graph_model(km) or not ends_in_probabilities(km):
        return km
    traced = cached_trace(km, logits=True)
    return MODEL_CACHE.get(
        km, ("logits",), lambda: keras.Model(traced.inputs[0], traced.output, name="logits")
    )


def injected_model(model: ModelLike, layer_name: str) -> keras.Model:
    """A two-input model ``[image, delta] -> [layer output + delta, logits]`` (cached).

    ``delta`` has the layer output's shape and is added to it before the rest of the
    network runs. Differentiating with respect to ``delta`` at zero gives gradients with
    respect to the layer's output on every backend. The final output is the logits, as in
    :func:`logits_model`.

    Args:
        model: ``keras.Model`` or ``ImageModel``.
        layer_name: layer key; its output must be a single tensor.

    Returns:
        A functional ``keras.Model`` with inputs ``[image, delta]`` and outputs
        ``[maps, logits]``.
    """
    layer_info(model, layer_name)  # helpful error first
    km = keras_model(model)
    traced = cached_trace(km, logits=True, inject=layer_name)
    return MODEL_CACHE.get(
        km,
        ("inject", layer_name),
        lambda: keras.Model(
            traced.inputs, [traced.taps[layer_name], traced.output], name="cnnviz_injected"
        ),
    )


def layer_model(
    model: ModelLike,
    layer_name: str,
    *,
    flexible: bool = False,
    pre_activation: bool = False,
) -> tuple[keras.Model, bool]:
    """A model from the input to one layer's output (cached), optionally any image size.

    Only the layers the output depends on are included.

    Args:
        model: ``keras.Model`` or ``ImageModel``; never modified.
        layer_name: layer key. The final layer of a softmax/sigmoid model gives logits.
        flexible: try to accept inputs of any height and width (possible when everything
            up to the layer is convolutional, as Lucid does for feature visualization).
        pre_activation: when the layer ends in a ReLU or ReLU6 (its own ``activation`` or
            an activation layer), output the value before it instead (Lucid's "pre_relu"
            objectives: silent units still get a gradient and ReLU6 does not cap them).

    Returns:
        ``(sub_model, is_flexible)``: ``is_flexible`` tells whether other input sizes work;
        when it is False the sub-model takes the model's own input size.
    """
    layer_info(model, layer_name)  # helpful error first
    km = keras_model(model)
    pre_of = layer_name if pre_activation else None

    def build(flex: bool) -> keras.Model | None:
        try:
            traced = trace_graph(
                km,
                logits=True,
                inject=None,
                stop_at=layer_name,
                flexible=flex,
                pre_activation_of=pre_of,
            )
        except InputError:
            raise
        except Exception:  # a layer needs a fixed input size: no flexibility
            if flex:
                return None
            raise
        out = traced.taps.get(f"{layer_name}:pre", traced.taps[layer_name])
        if flex and (not isinstance(out, keras.KerasTensor) or len(out.shape) != 4):
            return None
        return keras.Model(traced.inputs[0], out, name="cnnviz_layer")

    if flexible and len(keras_input_shape(km)) == 4:
        sub = MODEL_CACHE.get(km, ("layer", layer_name, True, pre_activation), lambda: build(True))
        if sub is not None:
            return sub, True
    sub = MODEL_CACHE.get(km, ("layer", layer_name, False, pre_activation), lambda: build(False))
    return sub, False
