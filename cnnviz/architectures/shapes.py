"""Shape arithmetic over a spec, without Keras: problems, the summary table, the smallest input.

The output layer is added by the builder and always named ``predictions``: ``Dense(1,
sigmoid)`` for two classes, else ``Dense(num_classes, softmax)``. A ``flatten`` is inserted
automatically (named ``flatten``) when a dense layer would get an image-shaped input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cnnviz.architectures.rows import (
    MAX_LAYERS,
    MAX_PARAMS,
    SEPARATE_ACTIVATIONS,
    describe_layer,
    normalize_row,
)
from cnnviz.errors import InputError


def _window_out(n: int, k: int, s: int, padding: str) -> int:
    """Output length of a convolution or pooling window: (n − k) // s + 1, or ⌈n / s⌉ ('same')."""
    return -(-n // s) if padding == "same" else (n - k) // s + 1


def check_input_shape(input_shape) -> tuple[int, int, int]:
    """The (height, width, channels) input shape as ints, or an InputError that says why not."""
    try:
        h, w, c = (int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise InputError(
            f"Input shape must be (height, width, channels), got {input_shape!r}."
        ) from None
    if min(h, w, c) < 1:
        raise InputError(f"Input shape must be positive, got {(h, w, c)}.")
    return h, w, c


def check_classes(num_classes) -> int:
    """The number of classes as an int, or an InputError that says why not."""
    try:
        k = int(num_classes)
    except (TypeError, ValueError):
        raise InputError(
            f"Number of classes must be a whole number, got {num_classes!r}."
        ) from None
    if k < 2:
        raise InputError(f"A classifier needs at least two classes, got {k}.")
    return k


def format_shape(shape: Sequence[int]) -> str:
    """A shape for messages and tables: (28, 28, 1) → '28×28×1'."""
    return "×".join(str(v) for v in shape)


def walk_spec(spec, input_shape, num_classes=None):
    """Shape arithmetic over a spec.

    Returns:
        (layers, rows, problems): the normalised rows (with automatic flattens), one summary
        row per Keras layer that :func:`build_from_spec` would create (without the input), and
        the problems found. Rows stop at the first shape problem.
    """
    problems: list[str] = []
    if not isinstance(spec, (list, tuple)):
        return [], [], ["The architecture must be a list of layer rows."]
    if len(spec) > MAX_LAYERS:
        problems.append(f"At most {MAX_LAYERS} layers, got {len(spec)}.")
    layers = [normalize_row(i, row, problems) for i, row in enumerate(spec, start=1)]
    if problems:
        return [], [], problems
    shape = tuple(input_shape)  # (H, W, C) while image-shaped, (N,) once flat
    rows: list[dict] = []
    names = _Namer()
    total = 0

    def add(name, kind, out_shape, params):
        nonlocal total
        total += params
        rows.append(
            {"layer": name, "type": kind, "output_shape": format_shape(out_shape), "params": params}
        )

    def add_activation(activation, out_shape):
        # PReLU learns one slope per channel (shared over height and width).
        params = out_shape[-1] if activation == "prelu" else 0
        add(names.last + "_act", SEPARATE_ACTIVATIONS[activation], out_shape, params)

    for i, layer in enumerate(layers, start=1):
        where = f"Layer {i} ({describe_layer(layer)})"
        kind = layer["type"]
        image = len(shape) == 3
        if kind in ("conv2d", "maxpool", "avgpool", "globalavgpool") and not image:
            problems.append(
                f"{where}: its input is a flat vector of {shape[0]} values (after flatten or "
                "dense); it needs an image-shaped input. Move it before the flatten layer."
            )
            break
        if kind in ("conv2d", "maxpool", "avgpool"):
            h, w, c = shape
            k, s, pad = layer["kernel"], layer["stride"], layer["padding"]
            if pad == "valid" and (h < k or w < k):
                what = (
                    f"smaller than the {k}×{k} kernel"
                    if kind == "conv2d"
                    else f"too small to pool {k}×{k}"
                )
                problems.append(
                    f"{where}: input is {h}×{w}, {what}. Use padding 'same', remove a pooling "
                    "layer, or use larger images."
                )
                break
            oh, ow = _window_out(h, k, s, pad), _window_out(w, k, s, pad)
            if kind == "conv2d":
                filters = layer["filters"]
                add(names("conv"), "Conv2D", (oh, ow, filters), (k * k * c + 1) * filters)
                shape = (oh, ow, filters)
                if layer["activation"] in SEPARATE_ACTIVATIONS:
                    add_activation(layer["activation"], shape)
            else:
                kind_name = "MaxPooling2D" if kind == "maxpool" else "AveragePooling2D"
                add(names("pool"), kind_name, (oh, ow, c), 0)
                shape = (oh, ow, c)
        elif kind == "globalavgpool":
            shape = (shape[2],)
            add(names("gap"), "GlobalAveragePooling2D", shape, 0)
        elif kind == "flatten":
            shape = (math.prod(shape),)
            add(names("flatten"), "Flatten", shape, 0)
        elif kind == "dropout":
            add(names("dropout"), "Dropout", shape, 0)
        elif kind == "batchnorm":
            # gamma, beta (trained) and moving mean, variance (not trained) per channel.
            add(names("bn"), "BatchNormalization", shape, 4 * shape[-1])
        elif kind == "dense":
            if image:
                shape = (math.prod(shape),)
                add(names("flatten"), "Flatten", shape, 0)
            units = layer["units"]
            add(names("dense"), "Dense", (units,), (shape[0] + 1) * units)
            shape = (units,)
            if layer["activation"] in SEPARATE_ACTIVATIONS:
                add_activation(layer["activation"], shape)
    else:
        if num_classes is not None:
            if len(shape) == 3:
                shape = (math.prod(shape),)
                add(names("flatten"), "Flatten", shape, 0)
            units = 1 if num_classes == 2 else num_classes
            add("predictions", "Dense", (units,), (shape[0] + 1) * units)
        if total > MAX_PARAMS:
            problems.append(
                f"The network has {total:,} parameters, more than {MAX_PARAMS:,} that can be "
                "trained here. Add pooling layers or use fewer units."
            )
    return layers, rows, problems


class _Namer:
    """Readable unique layer names: conv1, conv2, pool1, ...; a plain ``flatten`` first."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.last = ""

    def __call__(self, prefix: str) -> str:
        n = self.counts.get(prefix, 0) + 1
        self.counts[prefix] = n
        self.last = prefix if prefix in ("flatten", "gap") and n == 1 else f"{prefix}{n}"
        return self.last


def validate_spec(
    spec: Sequence[dict],
    input_shape: Sequence[int],
    num_classes: int | None = None,
    *,
    strict: bool = False,
) -> list[str]:
    """Check a layer table against an input shape, as the student edits it.

    Args:
        spec: list of layer rows (see the module docstring); not modified.
        input_shape: (H, W, C) of the images.
        num_classes: when given, the output layer is included in the parameter cap.
        strict: raise instead of returning the problems.

    Returns:
        Problems as sentences naming the layer (1-based), e.g. ``"Layer 4 (max pool 2×2):
        input is 1×1, too small to pool 2×2. ..."``; empty when the table is fine.

    Raises:
        InputError: with all problems, when ``strict`` and there are any; or for an invalid
            ``input_shape`` / ``num_classes``.
    """
    shape = check_input_shape(input_shape)
    classes = None if num_classes is None else check_classes(num_classes)
    _, _, problems = walk_spec(spec, shape, classes)
    if strict and problems:
        raise InputError(" ".join(problems))
    return problems


def spec_summary(spec: Sequence[dict], input_shape: Sequence[int], num_classes: int) -> list[dict]:
    """The summary table of the model a spec would build, computed without Keras.

    Args:
        spec: list of layer rows; not modified.
        input_shape: (H, W, C).
        num_classes: number of classes (≥ 2).

    Returns:
        One dict per layer (input first): ``layer`` (name), ``type`` (Keras class name),
        ``output_shape`` (e.g. ``"26×26×32"``), ``params`` (int). Equal to
        ``summary_table(build_from_spec(spec, input_shape, num_classes))``.

    Raises:
        InputError: when :func:`validate_spec` finds problems.
    """
    shape = check_input_shape(input_shape)
    _, rows, problems = walk_spec(spec, shape, check_classes(num_classes))
    if problems:
        raise InputError(" ".join(problems))
    return [
        {"layer": "input", "type": "InputLayer", "output_shape": format_shape(shape), "params": 0},
        *rows,
    ]


def minimum_input_side(spec: Sequence[dict], channels: int = 1, limit: int = 512) -> int | None:
    """Smallest square image side (≤ ``limit``) for which a spec's shapes work, or None."""
    for side in range(1, limit + 1):
        _, _, problems = walk_spec(spec, (side, side, channels))
        if not problems:
            return side
    return None
