"""Re-running a model's graph symbolically, with nested models flattened.

Every sub-model (:mod:`cnnviz.models.submodels`) and every layer list comes from one trace:
the graph is replayed on a fresh input, each operation routed through a recorder that names
its output (a name that appears twice is qualified as ``"nested_model/layer"`` or
``"layer#2"``). Shared, cached models are never mutated: the trace calls the existing layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras

from cnnviz.errors import InputError
from cnnviz.models.cache import MODEL_CACHE
from cnnviz.models.graph import LayerInfo, ModelLike, is_graph_model, keras_input_shape, keras_model
from cnnviz.models.logits import (
    Linear,
    ends_in_probabilities,
    final_operation,
    pre_activation_output,
)


@dataclass
class _Traced:
    """Result of re-running a model's graph symbolically."""

    inputs: list
    output: Any
    taps: dict[str, Any]  # key -> symbolic output (leaf layers and nested-model aliases)
    infos: list[LayerInfo]  # leaf layers in graph order


class _StopTraceError(Exception):
    """Raised inside a trace once the wanted layer has been reached."""


def trace_graph(
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
    shape = keras_input_shape(model)
    in_shape = (None, None, shape[-1]) if flexible and len(shape) == 4 else shape[1:]
    image = keras.Input(shape=in_shape, batch_size=None, name="image")
    final_op = final_operation(model) if logits else None
    replace_final = logits and ends_in_probabilities(model)
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
        if is_graph_model(op):
            out = run(op, args[0], f"{path}/{op.name}" if path else op.name)
            taps.setdefault(op.name, out)  # alias: the nested model's own name
            return out
        if replace_final and op is final_op:
            # Stop before the probability activation, reusing the same weights.
            out = Linear(op)(args[0]) if isinstance(op, keras.layers.Dense) else args[0]
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
            pre = pre_activation_output(op, args)
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
        # Private: Keras's own graph runner, with every operation routed through `call`. No
        # public API replays a functional graph op by op (nested models included); guarded by
        # tests/cnnviz/models/test_keras_private_apis.py.
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


def cached_trace(model: ModelLike, *, logits: bool = False, inject: str | None = None) -> _Traced:
    """The model's :func:`trace_graph`, kept in ``MODEL_CACHE``; InputError when subclassed."""
    km = keras_model(model)
    if not is_graph_model(km):
        raise InputError(
            f"Model {km.name!r} is a subclassed Keras model; its layers cannot be inspected. "
            "Use a Sequential or functional model."
        )
    return MODEL_CACHE.get(
        km, ("trace", logits, inject), lambda: trace_graph(km, logits=logits, inject=inject)
    )
