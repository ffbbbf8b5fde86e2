"""Classic CNN architectures from course material, and an editable layer table.

An architecture is a *spec*: a list of layer rows (plain dicts, so a page can show and edit it
as a table), checked by :func:`validate_spec` with shape arithmetic alone and turned into a
Keras model by :func:`build_from_spec`. The presets of :func:`available` are specs too
(:func:`preset_spec`); :func:`build` builds one for a dataset's input shape and class count.

Spec rows (keys not used by a type are ignored; missing keys take the defaults shown):

============== ==========================================================================
``type``       fields
============== ==========================================================================
conv2d         ``filters`` (32), ``kernel`` (3), ``stride`` (1), ``padding`` ("valid"),
               ``activation`` ("relu")
maxpool        ``kernel`` (2, the pool size), ``stride`` (= kernel), ``padding`` ("valid")
avgpool        like maxpool
dropout        ``rate`` (0.5)
batchnorm      —
flatten        —
globalavgpool  —
dense          ``units`` (64), ``activation`` ("relu")
============== ==========================================================================

Activations: relu, leaky_relu (LeakyReLU with slope 0.1, as its own layer), prelu (PReLU, its
own layer, one learned slope per channel), elu, gelu, swish, tanh, sigmoid, linear. Conv2d and
dense rows also take ``l1`` and ``l2`` (0.0): the kernel regularisation
``keras.regularizers.L1L2(l1, l2)``, added to the training loss. The output layer is added by
the builder and always named ``predictions``: ``Dense(1, sigmoid)`` for two classes, else
``Dense(num_classes, softmax)``. A ``flatten`` is inserted automatically (named ``flatten``)
when a dense layer would get an image-shaped input. Models are returned uncompiled.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

from cnnviz.errors import InputError

LAYER_TYPES = (
    "conv2d",
    "maxpool",
    "avgpool",
    "dropout",
    "batchnorm",
    "flatten",
    "globalavgpool",
    "dense",
)
ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu", "gelu", "swish", "tanh", "sigmoid", "linear")
# Activations built as a layer of their own after the convolution or dense layer.
_SEPARATE_ACTIVATIONS = {"leaky_relu": "LeakyReLU", "prelu": "PReLU"}
MAX_REGULARIZATION = 1.0
PADDINGS = ("valid", "same")
LEAKY_SLOPE = 0.1
MAX_LAYERS = 64
MAX_PARAMS = 50_000_000

_ALIASES = {
    "conv": "conv2d",
    "conv2d": "conv2d",
    "convolution": "conv2d",
    "maxpool": "maxpool",
    "max_pool": "maxpool",
    "maxpooling2d": "maxpool",
    "avgpool": "avgpool",
    "avg_pool": "avgpool",
    "averagepooling2d": "avgpool",
    "dropout": "dropout",
    "batchnorm": "batchnorm",
    "batch_norm": "batchnorm",
    "batchnormalization": "batchnorm",
    "flatten": "flatten",
    "globalavgpool": "globalavgpool",
    "global_avg_pool": "globalavgpool",
    "globalaveragepooling2d": "globalavgpool",
    "dense": "dense",
}
_DEFAULTS = {
    "conv2d": {
        "filters": 32,
        "kernel": 3,
        "stride": 1,
        "padding": "valid",
        "activation": "relu",
        "l1": 0.0,
        "l2": 0.0,
    },
    "maxpool": {"kernel": 2, "stride": None, "padding": "valid"},
    "avgpool": {"kernel": 2, "stride": None, "padding": "valid"},
    "dropout": {"rate": 0.5},
    "batchnorm": {},
    "flatten": {},
    "globalavgpool": {},
    "dense": {"units": 64, "activation": "relu", "l1": 0.0, "l2": 0.0},
}
# (low, high) inclusive for integer fields.
_RANGES = {"filters": (1, 1024), "kernel": (1, 15), "stride": (1, 8), "units": (1, 8192)}


@dataclass(frozen=True)
class Preset:
    """A classic architecture.

    Attributes:
        name: key for :func:`build`.
        title: shown to students.
        description: where it comes from and what it shows.
        input_shape: (H, W, C) it was designed for.
        num_classes: classes it was designed for.
        params: its parameter count at that input (checked by the tests).
        spec: its layer table (without the output layer).
    """

    name: str
    title: str
    description: str
    input_shape: tuple[int, int, int]
    num_classes: int
    params: int
    spec: tuple[dict, ...]


def _conv(filters, kernel=3, padding="valid", activation="relu"):
    return {
        "type": "conv2d",
        "filters": filters,
        "kernel": kernel,
        "stride": 1,
        "padding": padding,
        "activation": activation,
    }


def _pool(kernel=2, padding="valid"):
    return {"type": "maxpool", "kernel": kernel, "stride": kernel, "padding": padding}


def _dense(units, activation="relu"):
    return {"type": "dense", "units": units, "activation": activation}


def _dropout(rate):
    return {"type": "dropout", "rate": rate}


_FLAT = {"type": "flatten"}
_BN = {"type": "batchnorm"}

_PRESETS = [
    Preset(
        "mnist_cnn",
        "MNIST CNN",
        "The Keras / TensorFlow tutorial network: three 3×3 convolutions (32, 64, 64 filters) "
        "with max pooling, then a 64-unit dense layer.",
        (28, 28, 1),
        10,
        93_322,
        (_conv(32), _pool(), _conv(64), _pool(), _conv(64), _FLAT, _dense(64)),
    ),
    Preset(
        "fashion_cnn",
        "Fashion-MNIST CNN",
        "Two 3×3 convolutions with 64 filters and max pooling, then 128 dense units.",
        (28, 28, 1),
        10,
        243_786,
        (_conv(64), _pool(), _conv(64), _pool(), _FLAT, _dense(128)),
    ),
    Preset(
        "fashion_cnn_leaky",
        "Fashion-MNIST CNN with LeakyReLU and dropout",
        "Three 'same' convolutions (32, 64, 128) with LeakyReLU(0.1), 'same' max pooling and "
        "dropout after each block, then 128 dense units: dropout fights overfitting.",
        (28, 28, 1),
        10,
        356_234,
        (
            _conv(32, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.25),
            _conv(64, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.25),
            _conv(128, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.4),
            _FLAT,
            _dense(128, "leaky_relu"),
            _dropout(0.3),
        ),
    ),
    Preset(
        "cats_vs_dogs_cnn",
        "Cats vs dogs CNN",
        "Chollet's small-data network: four convolutions (32, 64, 128, 128) with max pooling, "
        "dropout 0.5 and 512 dense units, ending in one sigmoid unit for two classes.",
        (150, 150, 3),
        2,
        3_453_121,
        (
            _conv(32),
            _pool(),
            _conv(64),
            _pool(),
            _conv(128),
            _pool(),
            _conv(128),
            _pool(),
            _FLAT,
            _dropout(0.5),
            _dense(512),
        ),
    ),
    Preset(
        "cifar10_cnn",
        "CIFAR-10 CNN",
        "The Keras CIFAR-10 example: three blocks of a 'same' and a 'valid' 3×3 convolution "
        "(32, 64, 64 filters), max pooling and dropout, then 512 dense units.",
        (32, 32, 3),
        10,
        276_138,
        (
            _conv(32, padding="same"),
            _conv(32),
            _pool(),
            _dropout(0.25),
            _conv(64, padding="same"),
            _conv(64),
            _pool(),
            _dropout(0.25),
            _conv(64, padding="same"),
            _conv(64),
            _pool(),
            _dropout(0.25),
            _FLAT,
            _dense(512),
            _dropout(0.5),
        ),
    ),
    Preset(
        "tiny_vgg",
        "Tiny VGG (CNN Explainer)",
        "The network of CNN Explainer: two blocks of two 3×3 convolutions with 10 filters "
        "and max pooling, then straight to the output.",
        (64, 64, 3),
        10,
        19_920,
        (_conv(10), _conv(10), _pool(), _conv(10), _conv(10), _pool(), _FLAT),
    ),
    Preset(
        "cam_cnn",
        "CAM network (global average pooling)",
        "Four 'same' 3×3 convolutions (16, 32, 64, 64) with batch normalisation and max "
        "pooling between them, then "
        "global average pooling straight into the output, as in Zhou et al.'s CAM: every "
        "map keeps its place in the image, so Grad-CAM shows where the evidence is.",
        (64, 64, 3),
        6,
        61_606,
        (
            _conv(16, padding="same"),
            _BN,
            _pool(),
            _conv(32, padding="same"),
            _BN,
            _pool(),
            _conv(64, padding="same"),
            _BN,
            _pool(),
            _conv(64, padding="same"),
            _BN,
            {"type": "globalavgpool"},
        ),
    ),
    Preset(
        "mlp",
        "MLP baseline (no convolutions)",
        "Two dense layers of 512 units on the flattened pixels: many more parameters than a "
        "CNN and no notion of neighbouring pixels, to show why convolutions matter.",
        (28, 28, 1),
        10,
        669_706,
        (_FLAT, _dense(512), _dropout(0.2), _dense(512), _dropout(0.2)),
    ),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _PRESETS}


def available() -> list[str]:
    """Names of the preset architectures, in the order a page should list them."""
    return list(PRESETS)


def preset(name: str) -> Preset:
    """The :class:`Preset` called ``name``; ``InputError`` for an unknown name."""
    if name not in PRESETS:
        raise InputError(f"Unknown architecture {name!r}; choose one of {available()}.")
    return PRESETS[name]


def preset_spec(name: str) -> list[dict]:
    """A fresh, editable copy of a preset's layer table (without the output layer)."""
    return copy.deepcopy(list(preset(name).spec))


# ---------------------------------------------------------------------------------------------
# Spec normalisation and shape arithmetic (no Keras needed)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _as_int(value, field: str, where: str, problems: list[str]) -> int | None:
    lo, hi = _RANGES[field]
    try:
        number = float(value)
        if not number.is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        problems.append(f"{where}: {field} must be a whole number, got {value!r}.")
        return None
    if not lo <= number <= hi:
        problems.append(f"{where}: {field} must be between {lo} and {hi}, got {number}.")
        return None
    return number


def _normalize_row(index: int, row, problems: list[str]) -> dict | None:
    """A complete, typed copy of one spec row, or None (with a problem added)."""
    where = f"Layer {index}"
    if not isinstance(row, dict):
        problems.append(f"{where}: expected a table row (dict), got {type(row).__name__}.")
        return None
    raw_type = row.get("type")
    kind = _ALIASES.get(str(raw_type).strip().lower().replace(" ", "_")) if raw_type else None
    if kind is None:
        problems.append(f"{where}: unknown layer type {raw_type!r}; choose one of {LAYER_TYPES}.")
        return None
    out = {"type": kind}
    count = len(problems)
    for field, default in _DEFAULTS[kind].items():
        value = row.get(field)
        if _missing(value):
            value = default
        if field in _RANGES and value is not None:
            value = _as_int(value, field, where, problems)
        elif field == "padding":
            value = str(value).strip().lower()
            if value not in PADDINGS:
                problems.append(f"{where}: padding must be 'valid' or 'same', got {value!r}.")
        elif field == "activation":
            value = str(value).strip().lower().replace("leakyrelu", "leaky_relu")
            value = "linear" if value in ("none", "") else value
            if value not in ACTIVATIONS:
                problems.append(
                    f"{where}: unknown activation {value!r}; choose one of {ACTIVATIONS}."
                )
        elif field in ("l1", "l2"):
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = -1.0
            if not 0 <= value <= MAX_REGULARIZATION:
                problems.append(
                    f"{where}: {field.upper()} regularisation must be between 0 and "
                    f"{MAX_REGULARIZATION:g} (e.g. 0.0001), got {row.get(field)!r}."
                )
        elif field == "rate":
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = -1.0
            if not 0 <= value < 1:
                problems.append(f"{where}: dropout rate must be at least 0 and below 1.")
        out[field] = value
    if kind in ("maxpool", "avgpool") and out.get("stride") is None and out["kernel"]:
        out["stride"] = out["kernel"]
    return None if len(problems) > count else out


def describe_layer(layer: dict) -> str:
    """Short human description of a normalised row, e.g. ``"conv 3×3, 32 filters"``."""
    kind = layer["type"]
    if kind == "conv2d":
        text = f"conv {layer['kernel']}×{layer['kernel']}, {layer['filters']} filters"
        return text + (f", stride {layer['stride']}" if layer["stride"] != 1 else "")
    if kind in ("maxpool", "avgpool"):
        name = "max pool" if kind == "maxpool" else "average pool"
        text = f"{name} {layer['kernel']}×{layer['kernel']}"
        return text + (f", stride {layer['stride']}" if layer["stride"] != layer["kernel"] else "")
    if kind == "dropout":
        return f"dropout {layer['rate']:g}"
    if kind == "dense":
        return f"dense {layer['units']}"
    return {"batchnorm": "batch norm", "flatten": "flatten", "globalavgpool": "global avg pool"}[
        kind
    ]


def _window_out(n: int, k: int, s: int, padding: str) -> int:
    """Output length of a convolution or pooling window: (n − k) // s + 1, or ⌈n / s⌉ ('same')."""
    return -(-n // s) if padding == "same" else (n - k) // s + 1


def _check_input_shape(input_shape) -> tuple[int, int, int]:
    try:
        h, w, c = (int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise InputError(
            f"Input shape must be (height, width, channels), got {input_shape!r}."
        ) from None
    if min(h, w, c) < 1:
        raise InputError(f"Input shape must be positive, got {(h, w, c)}.")
    return h, w, c


def _check_classes(num_classes) -> int:
    try:
        k = int(num_classes)
    except (TypeError, ValueError):
        raise InputError(
            f"Number of classes must be a whole number, got {num_classes!r}."
        ) from None
    if k < 2:
        raise InputError(f"A classifier needs at least two classes, got {k}.")
    return k


def _fmt(shape: Sequence[int]) -> str:
    return "×".join(str(v) for v in shape)


def _walk(spec, input_shape, num_classes=None):
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
    layers = [_normalize_row(i, row, problems) for i, row in enumerate(spec, start=1)]
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
            {"layer": name, "type": kind, "output_shape": _fmt(out_shape), "params": params}
        )

    def add_activation(activation, out_shape):
        # PReLU learns one slope per channel (shared over height and width).
        params = out_shape[-1] if activation == "prelu" else 0
        add(names.last + "_act", _SEPARATE_ACTIVATIONS[activation], out_shape, params)

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
                if layer["activation"] in _SEPARATE_ACTIVATIONS:
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
            if layer["activation"] in _SEPARATE_ACTIVATIONS:
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
    shape = _check_input_shape(input_shape)
    classes = None if num_classes is None else _check_classes(num_classes)
    _, _, problems = _walk(spec, shape, classes)
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
    shape = _check_input_shape(input_shape)
    _, rows, problems = _walk(spec, shape, _check_classes(num_classes))
    if problems:
        raise InputError(" ".join(problems))
    return [
        {"layer": "input", "type": "InputLayer", "output_shape": _fmt(shape), "params": 0},
        *rows,
    ]


# ---------------------------------------------------------------------------------------------
# Keras


def build_from_spec(
    spec: Sequence[dict],
    input_shape: Sequence[int],
    num_classes: int,
    *,
    name: str = "custom",
    seed: int | None = None,
) -> object:
    """Build an uncompiled Keras model from a layer table.

    Args:
        spec: list of layer rows (see the module docstring); not modified.
        input_shape: (H, W, C) of the images the model takes (already scaled, e.g. 0..1).
        num_classes: number of classes (≥ 2); two classes give one sigmoid unit.
        name: the model's name.
        seed: seeds the weight initialisers (layer by layer) for a reproducible start.

    Returns:
        A functional ``keras.Model`` whose layers are named ``conv1``, ``pool1``, ...,
        ``dense1``, ``predictions``.

    Raises:
        InputError: when the table does not fit the input (the message names the layer).
    """
    import keras

    shape = _check_input_shape(input_shape)
    classes = _check_classes(num_classes)
    layers, rows, problems = _walk(spec, shape, classes)
    if problems:
        raise InputError(" ".join(problems))
    by_name = iter(rows)
    counter = iter(range(1_000_000))

    def init():
        if seed is None:
            return "glorot_uniform"
        return keras.initializers.GlorotUniform(seed=int(seed) * 1000 + next(counter))

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for layer in [*layers, None]:
        kind = None if layer is None else layer["type"]
        if kind in ("dense", None) and len(x.shape) == 4:
            x = keras.layers.Flatten(name=next(by_name)["layer"])(x)
        if kind is None:
            break
        row = next(by_name)
        separate = layer.get("activation") in _SEPARATE_ACTIVATIONS
        activation = "linear" if separate else layer.get("activation")
        l1, l2 = float(layer.get("l1") or 0.0), float(layer.get("l2") or 0.0)
        regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if l1 > 0 or l2 > 0 else None
        if kind == "conv2d":
            x = keras.layers.Conv2D(
                layer["filters"],
                layer["kernel"],
                strides=layer["stride"],
                padding=layer["padding"],
                activation=activation,
                kernel_initializer=init(),
                kernel_regularizer=regularizer,
                name=row["layer"],
            )(x)
        elif kind in ("maxpool", "avgpool"):
            pool = keras.layers.MaxPooling2D if kind == "maxpool" else keras.layers.AveragePooling2D
            x = pool(
                layer["kernel"],
                strides=layer["stride"],
                padding=layer["padding"],
                name=row["layer"],
            )(x)
        elif kind == "globalavgpool":
            x = keras.layers.GlobalAveragePooling2D(name=row["layer"])(x)
        elif kind == "flatten":
            x = keras.layers.Flatten(name=row["layer"])(x)
        elif kind == "dropout":
            x = keras.layers.Dropout(layer["rate"], name=row["layer"])(x)
        elif kind == "batchnorm":
            x = keras.layers.BatchNormalization(name=row["layer"])(x)
        elif kind == "dense":
            x = keras.layers.Dense(
                layer["units"],
                activation=activation,
                kernel_initializer=init(),
                kernel_regularizer=regularizer,
                name=row["layer"],
            )(x)
        if separate and layer["activation"] == "leaky_relu":
            x = keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=next(by_name)["layer"])(x)
        elif separate:
            shared = [1, 2] if len(x.shape) == 4 else None
            x = keras.layers.PReLU(shared_axes=shared, name=next(by_name)["layer"])(x)
    units, activation = (1, "sigmoid") if classes == 2 else (classes, "softmax")
    outputs = keras.layers.Dense(
        units, activation=activation, kernel_initializer=init(), name="predictions"
    )(x)
    return keras.Model(inputs, outputs, name=name)


HYPERPARAMETERS = ("dropout", "batchnorm", "activation", "l2", "seed")


def apply_hyperparameters(
    spec: Sequence[dict],
    *,
    dropout: float | None = None,
    batchnorm: bool = False,
    activation: str | None = None,
    l2: float | None = None,
) -> list[dict]:
    """A copy of a spec with the hyperparameters a student can change on a preset.

    Args:
        spec: layer rows; not modified.
        dropout: None keeps the spec's rates; a rate in [0, 1) replaces every dropout rate,
            and when the spec has no dropout and the rate is above 0, one dropout layer is
            added before the output.
        batchnorm: add batch normalisation after every convolution.
        activation: None keeps them; else the activation of every convolution and hidden
            dense layer (one of :data:`ACTIVATIONS`).
        l2: None or 0 keeps them; else the L2 weight decay of every convolution and hidden
            dense layer that has no L1 or L2 of its own.

    Returns:
        The new spec.
    """
    out = []
    for row in copy.deepcopy(list(spec)):
        kind = _ALIASES.get(str(row.get("type", "")).strip().lower().replace(" ", "_"))
        if activation is not None and kind in ("conv2d", "dense"):
            row["activation"] = activation
        own = any(not _missing(row.get(k)) and float(row[k]) > 0 for k in ("l1", "l2"))
        if l2 and kind in ("conv2d", "dense") and not own:
            row["l2"] = float(l2)
        if dropout is not None and kind == "dropout":
            row["rate"] = dropout
        out.append(row)
        if batchnorm and kind == "conv2d":
            out.append({"type": "batchnorm"})
    has_dropout = any(_ALIASES.get(str(r.get("type", "")).lower()) == "dropout" for r in out)
    if dropout is not None and not has_dropout and float(dropout) > 0:
        out.append({"type": "dropout", "rate": dropout})
    return out


def build(name: str, input_shape: Sequence[int], num_classes: int, **hyperparameters) -> object:
    """Build a preset architecture for a dataset's images and classes.

    Args:
        name: one of :func:`available`.
        input_shape: (H, W, C) of the dataset's images.
        num_classes: number of classes (≥ 2); two classes end in one sigmoid unit, more in
            a softmax.
        **hyperparameters: ``dropout`` (rate in [0, 1), see :func:`apply_hyperparameters`),
            ``batchnorm`` (bool), ``activation`` (str), ``l2`` (float, weight decay),
            ``seed`` (int, weight initialisers).

    Returns:
        An uncompiled ``keras.Model`` named ``name``.

    Raises:
        InputError: unknown preset or hyperparameter, or an input too small for the preset
            (the message says the smallest image size that works).
    """
    p = preset(name)
    unknown = sorted(set(hyperparameters) - set(HYPERPARAMETERS))
    if unknown:
        raise InputError(
            f"Unknown hyperparameter {', '.join(unknown)}; the architectures accept "
            f"{list(HYPERPARAMETERS)}."
        )
    seed = hyperparameters.pop("seed", None)
    spec = apply_hyperparameters(p.spec, **hyperparameters)
    shape = _check_input_shape(input_shape)
    classes = _check_classes(num_classes)
    problems = validate_spec(spec, shape, classes)
    if problems:
        smallest = minimum_input_side(spec, shape[2])
        hint = ""
        if smallest is not None and smallest > min(shape[:2]):
            hint = f" It needs images of at least {smallest}×{smallest} pixels."
        raise InputError(
            f"The {p.title} does not fit {_fmt(shape)} images: {problems[0]}{hint} "
            f"(It was designed for {_fmt(p.input_shape)}.) Pick another architecture or "
            "dataset."
        )
    return build_from_spec(spec, shape, classes, name=name, seed=seed)


def minimum_input_side(spec: Sequence[dict], channels: int = 1, limit: int = 512) -> int | None:
    """Smallest square image side (≤ ``limit``) for which a spec's shapes work, or None."""
    for side in range(1, limit + 1):
        _, _, problems = _walk(spec, (side, side, channels))
        if not problems:
            return side
    return None


def summary_table(model) -> list[dict]:
    """The live summary table of a built model.

    Args:
        model: a Keras model (not modified).

    Returns:
        One dict per layer, input first: ``layer`` (name), ``type`` (Keras class name),
        ``output_shape`` (e.g. ``"26×26×32"``, batch axis left out), ``params`` (int, trained
        and untrained weights).
    """
    rows = []
    for layer in model.layers:
        try:
            output = layer.output
        except (AttributeError, ValueError):  # a layer never called (e.g. unbuilt model)
            output = None
        outputs = output if isinstance(output, (list, tuple)) else [output]
        shapes = [
            "?" if o is None else _fmt(["?" if d is None else d for d in o.shape[1:]])
            for o in outputs
        ]
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output_shape": ", ".join(shapes),
                "params": int(layer.count_params()) if layer.built else 0,
            }
        )
    return rows
