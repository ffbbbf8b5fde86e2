"""The layers of a model as a student sees them: keys, classes, output shapes, parameters."""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.models.graph import LayerInfo, ModelLike, keras_model
from cnnviz.models.trace import cached_trace


def layer_infos(model: ModelLike) -> list[LayerInfo]:
    """All layers of the flattened model in graph order (input layers excluded).

    Args:
        model: ``keras.Model`` or ``ImageModel``.

    Returns:
        One :class:`LayerInfo` per layer; nested models are replaced by their layers.
    """
    return list(cached_trace(model).infos)


def layer_names(model: ModelLike) -> list[str]:
    """Keys of all layers of the flattened model, in graph order."""
    return [info.name for info in layer_infos(model)]


def spatial_layers(model: ModelLike) -> list[str]:
    """Keys of the layers whose output is 4-D (N, H, W, C), in graph order."""
    return [info.name for info in layer_infos(model) if info.is_spatial]


def conv_layers(model: ModelLike) -> list[str]:
    """Keys of the convolution layers (Conv2D, DepthwiseConv2D, SeparableConv2D...)."""
    return [info.name for info in layer_infos(model) if info.is_conv and info.is_spatial]


def layer_info(model: ModelLike, layer_name: str) -> LayerInfo:
    """The :class:`LayerInfo` for one key; ``InputError`` naming the choices if unknown."""
    infos = layer_infos(model)
    for info in infos:
        if info.name == layer_name:
            return info
    traced = cached_trace(model)
    if layer_name in traced.taps:  # a nested model's own name
        out = traced.taps[layer_name]
        return LayerInfo(layer_name, "Model", tuple(out.shape[1:]), 0)
    sample = ", ".join(info.name for info in infos[-5:])
    raise InputError(f"The model has no layer named {layer_name!r}. Its last layers are: {sample}.")


def num_classes(model: ModelLike) -> int:
    """Number of classes the model distinguishes (2 for a single-unit sigmoid output)."""
    units = keras_model(model).outputs[0].shape[-1]
    return 2 if units == 1 else int(units)
