"""Looking inside Keras models without changing them: layer lists, sub-models, logits.

Every inspection module (activations, featureviz, attribution) goes through here, so the
awkward cases are solved once:

* **Nested models** (a ``Sequential`` or ``keras.applications`` base used as one layer of a
  bigger model) are *flattened*: their inner layers are listed and reachable by name as if
  they were layers of the outer model.
* **Softmax outputs**: :func:`logits_model` builds a new model that stops before the final
  softmax/sigmoid and reuses the same weights, because gradients of saturated
  probabilities vanish.
* **Shared, cached models are never mutated.** Sub-models are new functional models that
  call the existing layers (sharing their weights); nothing is cloned or modified.

Models can be given as a ``keras.Model`` or as a :class:`cnnviz.imagemodel.ImageModel`.
Layer *keys* are the Keras layer names; a name that appears twice in the flattened model
(rare: two nested models with a layer of the same name, or one layer called twice) is
qualified as ``"nested_model/layer"`` or ``"layer#2"``. :func:`layer_infos` lists the keys.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras

from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel

ModelLike = Any  # keras.Model or ImageModel; kept loose so jax/torch backends type-check alike

_PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


# ---------------------------------------------------------------------------------------------
# Small bounded cache keyed by model identity
# ---------------------------------------------------------------------------------------------


class ModelCache:
    """A small LRU cache of things derived from a model (sub-models, compiled functions).

    Keys start with the model object; it is kept alive by the entry, so ``id`` reuse by a
    new model can never return a stale entry. Thread-safe (Streamlit serves sessions from
    threads).

    Args:
        maxsize: entries kept; the least recently used is dropped first.
    """

    def __init__(self, maxsize: int = 16) -> None:
        self._data: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.RLock()
        self.maxsize = maxsize

    def get(self, model: Any, key: tuple, build: Callable[[], Any]) -> Any:
        """Return the entry for ``(model, *key)``, building it with ``build()`` if missing."""
        full = (id(model), *key)
        with self._lock:
            hit = self._data.get(full)
            if hit is not None and hit[0] is model:
                self._data.move_to_end(full)
                return hit[1]
            value = build()
            self._data[full] = (model, value)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()


_CACHE = ModelCache(maxsize=32)


# ---------------------------------------------------------------------------------------------
# Unwrapping and describing
# ---------------------------------------------------------------------------------------------


def keras_model(model: ModelLike) -> keras.Model:
    """The ``keras.Model`` behind ``model`` (an ``ImageModel`` or a ``keras.Model``)."""
    if isinstance(model, ImageModel):
        model = model.model
    if not isinstance(model, keras.Model):
        raise InputError(f"Expected a Keras model, got {type(model).__name__}.")
    return model


def _is_graph_model(op: Any) -> bool:
    """True for models whose layer graph can be walked (Functional and Sequential)."""
    return isinstance(op, keras.Model) and (
        isinstance(op, keras.Sequential) or hasattr(op, "_run_through_graph")
    )


def _input_shape(model: keras.Model) -> tuple:
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
    return _input_shape(keras_model(model))[1:]


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


# ---------------------------------------------------------------------------------------------
# The flattened graph
# ---------------------------------------------------------------------------------------------


class _Linear(keras.layers.Layer):
    """The linear part of an existing Dense or Conv layer, sharing its weights (no copy)."""

    def __init__(self, layer: keras.layers.Layer, **kwargs: Any) -> None:
        super().__init__(name=f"{layer.name}_linear", **kwargs)
        self.inner = layer

    def call(self, x):
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
        return self.inner.compute_output_shape(input_shape)


_RELU_FAMILY = ("relu", "relu6")


def _has_linear_part(op: Any) -> bool:
    return isinstance(op, keras.layers.Dense) or (
        isinstance(op, keras.layers.Conv2D) and hasattr(op, "convolution_op")
    )


def _pre_activation(op: Any, args: tuple) -> Any:
    """Symbolic value of ``op``'s output before a ReLU/ReLU6, or ``None`` if it has none."""
    if isinstance(op, keras.layers.ReLU) or (
        isinstance(op, keras.layers.Activation) and _activation_name(op) in _RELU_FAMILY
    ):
        return args[0]
    if _has_linear_part(op) and _activation_name(op) in _RELU_FAMILY:
        return _Linear(op)(args[0])
    return None


def _activation_name(layer: Any) -> str | None:
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", None)


def _final_operation(model: keras.Model) -> Any:
    """The layer that produces the model's output, descending into nested models."""
    if isinstance(model, keras.Sequential):
        op = model.layers[-1] if model.layers else None
    elif hasattr(model, "outputs") and model.outputs and len(model.outputs) == 1:
        op = model.outputs[0]._keras_history[0]
    else:
        return None
    return _final_operation(op) if _is_graph_model(op) else op


def _ends_in_probabilities(model: keras.Model) -> bool:
    op = _final_operation(model)
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
    return not _ends_in_probabilities(keras_model(model))


@dataclass
class _Traced:
    """Result of re-running a model's graph symbolically."""

    inputs: list
    output: Any
    taps: dict[str, Any]  # key -> symbolic output (leaf layers and nested-model aliases)
    infos: list[LayerInfo]  # leaf layers in graph order


class _StopTraceError(Exception):
    """Raised inside a trace once the wanted layer has been reached."""


def _trace(
    model: keras.Model,
    *,
    logits: bool,
    inject: str | None,
    stop_at: str | None = None,
    flexible: bool = False,
    pre_activation_of: str | None = None,
) -> _Traced:
    """Re-run ``model``'s graph on a fresh input, flattening nested models.

    Args:
        model: a Functional or Sequential model with one input.
        logits: replace a final softmax/sigmoid by its linear part.
        inject: a layer key whose output gets ``+ delta``, ``delta`` being a second model
            input of the same shape. Gradients w.r.t. ``delta`` at zero are then gradients
            w.r.t. that layer's output, on every backend (JAX cannot differentiate with
            respect to an intermediate tensor otherwise).
        stop_at: stop once this layer key is computed (later layers are not traced).
        flexible: give the fresh input unknown height and width.
        pre_activation_of: record this layer's value before its ReLU/ReLU6 (if it ends in
            one) under the key ``"<key>:pre"``.
    """
    shape = _input_shape(model)
    in_shape = (None, None, shape[-1]) if flexible and len(shape) == 4 else shape[1:]
    image = keras.Input(shape=in_shape, batch_size=None, name="image")
    final_op = _final_operation(model) if logits else None
    replace_final = logits and _ends_in_probabilities(model)
    taps: dict[str, Any] = {}
    infos: list[LayerInfo] = []
    counts: dict[str, int] = {}
    extra_inputs: list = []

    def key_for(op: Any, path: str) -> str:
        name = op.name
        if name not in taps:
            return name
        qualified = f"{path}/{name}" if path else name
        if qualified not in taps:
            return qualified
        counts[name] = counts.get(name, 1) + 1
        return f"{name}#{counts[name]}"

    def call(op: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        if _is_graph_model(op):
            out = run(op, args[0], f"{path}/{op.name}" if path else op.name)
            taps.setdefault(op.name, out)  # alias: the nested model's own name
            return out
        if replace_final and op is final_op:
            # Stop before the probability activation, reusing the same weights.
            out = _Linear(op)(args[0]) if isinstance(op, keras.layers.Dense) else args[0]
        else:
            out = op(*args, **kwargs)
        key = key_for(op, path)
        if inject is not None and key == inject:
            if not isinstance(out, keras.KerasTensor):
                raise InputError(f"Layer {key!r} has several outputs; pick another layer.")
            delta = keras.Input(shape=tuple(out.shape[1:]), name="delta")
            extra_inputs.append(delta)
            out = keras.ops.add(out, delta)
        taps[key] = out
        if key == pre_activation_of:
            pre = _pre_activation(op, args)
            if pre is not None:
                taps[f"{key}:pre"] = pre
        shape_out = tuple(out.shape[1:]) if isinstance(out, keras.KerasTensor) else ()
        params = op.count_params() if isinstance(op, keras.layers.Layer) and op.built else 0
        infos.append(LayerInfo(key, type(op).__name__, shape_out, int(params), path))
        if key == stop_at:
            raise _StopTraceError
        return out

    def run(sub: keras.Model, x: Any, path: str) -> Any:
        if isinstance(sub, keras.Sequential):
            for layer in sub.layers:
                x = call(layer, path, x)
            return x
        # Keras's own graph runner, with every operation routed through `call`. This is the
        # one use of a private Keras API (pinned version); it replays the graph in order.
        return sub._run_through_graph(
            [x], operation_fn=lambda op: lambda *a, **k: call(op, path, *a, **k)
        )

    try:
        output = run(model, image, "")
    except _StopTraceError:
        return _Traced([image], taps[stop_at], taps, infos)
    if isinstance(output, (list, tuple)):
        if len(output) != 1:
            raise InputError(f"Model {model.name!r} has several outputs; not supported.")
        output = output[0]
    if inject is not None and not extra_inputs:
        raise InputError(f"Model {model.name!r} has no layer named {inject!r}.")
    return _Traced([image, *extra_inputs], output, taps, infos)


def _traced(model: ModelLike, *, logits: bool = False, inject: str | None = None) -> _Traced:
    km = keras_model(model)
    if not _is_graph_model(km):
        raise InputError(
            f"Model {km.name!r} is a subclassed Keras model; its layers cannot be inspected. "
            "Use a Sequential or functional model."
        )
    return _CACHE.get(
        km, ("trace", logits, inject), lambda: _trace(km, logits=logits, inject=inject)
    )


# ---------------------------------------------------------------------------------------------
# Public helpers
# ---------------------------------------------------------------------------------------------


def layer_infos(model: ModelLike) -> list[LayerInfo]:
    """All layers of the flattened model in graph order (input layers excluded).

    Args:
        model: ``keras.Model`` or ``ImageModel``.

    Returns:
        One :class:`LayerInfo` per layer; nested models are replaced by their layers.
    """
    return list(_traced(model).infos)


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
    traced = _traced(model)
    if layer_name in traced.taps:  # a nested model's own name
        out = traced.taps[layer_name]
        return LayerInfo(layer_name, "Model", tuple(out.shape[1:]), 0)
    sample = ", ".join(info.name for info in infos[-5:])
    raise InputError(f"The model has no layer named {layer_name!r}. Its last layers are: {sample}.")


def default_cam_layer(model: ModelLike) -> str:
    """Default Grad-CAM layer: the last layer with a 4-D output whose height and width are > 1.

    An ``ImageModel``'s own ``last_conv_layer`` wins when it names an existing layer.

    Raises:
        InputError: when the model has no such layer (e.g. a plain dense network).
    """
    if (
        isinstance(model, ImageModel)
        and model.last_conv_layer
        and model.last_conv_layer in _traced(model).taps
    ):
        return model.last_conv_layer
    for info in reversed(layer_infos(model)):
        if info.is_spatial and all(d is None or d > 1 for d in info.output_shape[:2]):
            return info.name
    raise InputError(
        "This model has no convolutional layer with a spatial map larger than 1x1, "
        "so there is nothing for Grad-CAM to look at."
    )


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
    traced = _traced(model, logits=logits)
    for name in names:
        if name not in traced.taps:
            layer_info(model, name)  # raises a helpful InputError
    outputs = [traced.taps[n] for n in names]
    if with_output:
        outputs.append(traced.output)

    def build() -> keras.Model:
        return keras.Model(traced.inputs[0], outputs, name="cnnviz_layers")

    return _CACHE.get(keras_model(model), ("multi", names, logits, with_output), build)


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
    if not _is_graph_model(km) or not _ends_in_probabilities(km):
        return km
    traced = _traced(km, logits=True)
    return _CACHE.get(
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
    traced = _traced(km, logits=True, inject=layer_name)
    return _CACHE.get(
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
            traced = _trace(
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

    if flexible and len(_input_shape(km)) == 4:
        sub = _CACHE.get(km, ("layer", layer_name, True, pre_activation), lambda: build(True))
        if sub is not None:
            return sub, True
    sub = _CACHE.get(km, ("layer", layer_name, False, pre_activation), lambda: build(False))
    return sub, False


def num_classes(model: ModelLike) -> int:
    """Number of classes the model distinguishes (2 for a single-unit sigmoid output)."""
    units = keras_model(model).outputs[0].shape[-1]
    return 2 if units == 1 else int(units)


def clear_cache() -> None:
    """Drop every cached sub-model (tests; or after a model is deleted from the store)."""
    _CACHE.clear()


# ---------------------------------------------------------------------------------------------
# Receptive-field geometry
# ---------------------------------------------------------------------------------------------


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
    "_Linear",
)


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[-1])) if len(value) else (1, 1)
    return int(value), int(value)


def _layers_by_name(model: keras.Model) -> dict[str, Any]:
    """Every layer of a (possibly nested) model by its Keras name."""
    out: dict[str, Any] = {}
    stack = [model]
    while stack:
        current = stack.pop()
        for layer in getattr(current, "layers", []):
            out.setdefault(layer.name, layer)
            if _is_graph_model(layer):
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
        layers = _layers_by_name(km)
        in_shape = _input_shape(km)[1:3]
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

    return _CACHE.get(km, ("geometry", layer_name), build)
