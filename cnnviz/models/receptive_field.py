"""Receptive-field geometry: where a spatial layer's cells sit in the model's input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras

from cnnviz.models.cache import MODEL_CACHE
from cnnviz.models.graph import ModelLike, is_graph_model, keras_input_shape, keras_model
from cnnviz.models.layers import layer_info, layer_infos


@dataclass(frozen=True)
class Geometry:
    """Where a spatial layer's cells sit in the model's input.

    Cell ``(i, j)`` of the layer's (h, w) map is centred on input pixel
    ``(offset[0] + i * stride[0], offset[1] + j * stride[1])`` (pixel centres at integer
    coordinates) and sees a ``size[0] x size[1]`` window of the input around it.

    Attributes:
        offset: (y, x) input coordinates of cell (0, 0)'s centre; negative when 'same'
            padding centres it outside the image.
        stride: (y, x) input pixels between neighbouring cells (the product of the strides).
        size: (y, x) receptive-field side in input pixels.
        map_size: (h, w) of the layer's map.
    """

    offset: tuple[float, float]
    stride: tuple[float, float]
    size: tuple[int, int]
    map_size: tuple[int, int]

    def window(self, i: int, j: int, input_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """Input box ``(x0, y0, x1, y1)`` (exclusive ends) seen by cell (i, j), clipped."""
        cy = self.offset[0] + i * self.stride[0]
        cx = self.offset[1] + j * self.stride[1]
        hy, hx = (self.size[0] - 1) / 2, (self.size[1] - 1) / 2
        y0, y1 = max(0, round(cy - hy)), min(input_size[0], round(cy + hy) + 1)
        x0, x1 = max(0, round(cx - hx)), min(input_size[1], round(cx + hx) + 1)
        return x0, y0, x1, y1


_WINDOW_LAYERS = (
    "Conv1D",
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "MaxPooling2D",
    "AveragePooling2D",
)
_IDENTITY_LAYERS = (
    "InputLayer",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "PReLU",
    "Softmax",
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "Rescaling",
    "Normalization",
    "Add",
    "Multiply",
    "Subtract",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Identity",
    "Lambda",
    "Functional",
    "Sequential",
    "Model",
    "Linear",
)


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[-1])) if len(value) else (1, 1)
    return int(value), int(value)


def layers_by_name(model: keras.Model) -> dict[str, Any]:
    """Every layer of a (possibly nested) model by its Keras name."""
    out: dict[str, Any] = {}
    stack = [model]
    while stack:
        current = stack.pop()
        for layer in getattr(current, "layers", []):
            out.setdefault(layer.name, layer)
            if is_graph_model(layer):
                stack.append(layer)
    return out


def receptive_field(model: ModelLike, layer_name: str) -> Geometry | None:
    """Offset, stride and size of a spatial layer's cells in input pixels.

    Composed layer by layer from the input (graph order) over convolutions and pooling
    (kernel, stride, dilation, 'valid' / 'same' padding as TensorFlow pads: extra pixel at
    the end), ``ZeroPadding2D`` and ``Cropping2D``; element-wise layers keep the geometry.
    Exact for chains and for residual blocks whose branches line up (as ``Add`` requires).

    Args:
        model: ``keras.Model`` or ``ImageModel``.
        layer_name: a key of :func:`spatial_layers`.

    Returns:
        The :class:`Geometry`, or ``None`` when a layer on the way is of a kind whose
        geometry is not known (e.g. resizing or transposed convolutions): callers then
        assume the map spans the whole input.
    """
    km = keras_model(model)
    info = layer_info(model, layer_name)
    if not info.is_spatial or None in info.output_shape[:2]:
        return None

    def build() -> Geometry | None:
        layers = layers_by_name(km)
        in_shape = keras_input_shape(km)[1:3]
        hw = [int(d) if d is not None else None for d in in_shape]
        offset, jump, size = [0.0, 0.0], [1.0, 1.0], [1, 1]
        for item in layer_infos(model):
            layer = layers.get(item.name)
            kind = item.class_name
            if layer is not None and kind in _WINDOW_LAYERS:
                is_pool = "Pooling" in kind
                kernel = _pair(layer.pool_size if is_pool else layer.kernel_size)
                strides = _pair(layer.strides)
                dilation = (1, 1) if is_pool else _pair(getattr(layer, "dilation_rate", 1))
                try:
                    n_in = [int(d) for d in layer.input.shape[1:3]]
                except (AttributeError, TypeError, ValueError):
                    n_in = hw
                for a in range(2):
                    k_eff = dilation[a] * (kernel[a] - 1) + 1
                    pad = 0
                    if layer.padding == "same" and n_in[a] is not None:
                        out = -(-n_in[a] // strides[a])
                        pad = max((out - 1) * strides[a] + k_eff - n_in[a], 0) // 2
                    offset[a] += jump[a] * ((k_eff - 1) / 2 - pad)
                    size[a] += round((k_eff - 1) * jump[a])
                    jump[a] *= strides[a]
            elif layer is not None and kind == "ZeroPadding2D":
                (top, _), (left, _) = layer.padding
                offset[0] -= jump[0] * top
                offset[1] -= jump[1] * left
            elif layer is not None and kind == "Cropping2D":
                (top, _), (left, _) = layer.cropping
                offset[0] += jump[0] * top
                offset[1] += jump[1] * left
            elif kind not in _IDENTITY_LAYERS and item.is_spatial:
                return None
            if item.is_spatial:
                hw = list(item.output_shape[:2])
            if item.name == layer_name:
                return Geometry(
                    (offset[0], offset[1]),
                    (jump[0], jump[1]),
                    (size[0], size[1]),
                    (int(info.output_shape[0]), int(info.output_shape[1])),
                )
        return None

    return MODEL_CACHE.get(km, ("geometry", layer_name), build)
