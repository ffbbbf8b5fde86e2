"""Layer rows of a spec: the layer types, their fields and defaults, and one row checked.

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
``keras.regularizers.L1L2(l1, l2)``, added to the training loss.
"""

from __future__ import annotations

import math

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
SEPARATE_ACTIVATIONS = {"leaky_relu": "LeakyReLU", "prelu": "PReLU"}
MAX_REGULARIZATION = 1.0
PADDINGS = ("valid", "same")
LEAKY_SLOPE = 0.1
MAX_LAYERS = 64
MAX_PARAMS = 50_000_000

ALIASES = {
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


def is_missing(value) -> bool:
    """True for an empty table cell: None, NaN or the empty string."""
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


def normalize_row(index: int, row, problems: list[str]) -> dict | None:
    """A complete, typed copy of one spec row, or None (with a problem added)."""
    where = f"Layer {index}"
    if not isinstance(row, dict):
        problems.append(f"{where}: expected a table row (dict), got {type(row).__name__}.")
        return None
    raw_type = row.get("type")
    kind = ALIASES.get(str(raw_type).strip().lower().replace(" ", "_")) if raw_type else None
    if kind is None:
        problems.append(f"{where}: unknown layer type {raw_type!r}; choose one of {LAYER_TYPES}.")
        return None
    out = {"type": kind}
    count = len(problems)
    for field, default in _DEFAULTS[kind].items():
        value = row.get(field)
        if is_missing(value):
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
