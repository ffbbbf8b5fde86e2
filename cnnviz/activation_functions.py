"""Activation functions and their derivatives, in numpy, for plotting and teaching.

Each entry of :data:`FUNCTIONS` gives the function and its derivative written out by hand
(the formulas a course shows), so the curves are exact and cheap to draw; the tests check
every derivative against the gradient Keras computes for ``keras.ops`` / ``keras.activations``
(:func:`keras_function`), through :mod:`cnnviz.autodiff`.

Saturating functions (sigmoid, tanh) have derivatives that vanish for large ``|x|``: a
gradient passing back through ``n`` such layers is multiplied by their derivatives, at most
0.25ⁿ for the sigmoid. :func:`gradient_through_layers` shows that number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry

_SQRT_2 = math.sqrt(2.0)
ELU_ALPHA = 1.0


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow


def _erf(x):
    from scipy.special import erf

    return erf(x)


@dataclass(frozen=True, kw_only=True)
class ActivationFunction(Entry):
    """One activation function, a registry entry.

    Attributes:
        key: the key in :data:`FUNCTIONS` (and in the layer table where it exists there);
            also ``name``.
        title: shown to students.
        help: the function in a line of text (also ``formula``).
        saturates: True when the derivative goes to 0 on both sides (vanishing gradients).
        layer_name: the name of the layer table's activation, or None when it has none.
        function: ``f(x, slope)`` on a numpy array (``slope`` is used by leaky ReLU and
            PReLU only).
        derivative: ``f'(x, slope)``.
    """

    saturates: bool
    layer_name: str | None
    function: Callable[[np.ndarray, float], np.ndarray]
    derivative: Callable[[np.ndarray, float], np.ndarray]

    @property
    def name(self) -> str:
        """The key, e.g. ``"leaky_relu"``."""
        return self.key

    @property
    def formula(self) -> str:
        """The function in a line of text."""
        return self.help


REGISTRY: Registry[ActivationFunction] = Registry("activation")


def _register(key, title, formula, saturates, layer_name, function, derivative) -> None:
    REGISTRY.register(
        ActivationFunction(
            key=key,
            title=title,
            help=formula,
            saturates=saturates,
            layer_name=layer_name,
            function=function,
            derivative=derivative,
        )
    )


def _gelu(x, _):
    return 0.5 * x * (1.0 + _erf(x / _SQRT_2))


def _gelu_prime(x, _):
    pdf = np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return 0.5 * (1.0 + _erf(x / _SQRT_2)) + x * pdf


for _args in [
    (
        "sigmoid", "Sigmoid", "σ(x) = 1 / (1 + e⁻ˣ)", True, "sigmoid",
        lambda x, _: _sigmoid(x),
        lambda x, _: _sigmoid(x) * (1.0 - _sigmoid(x)),
    ),
    (
        "tanh", "tanh", "tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)", True, "tanh",
        lambda x, _: np.tanh(x),
        lambda x, _: 1.0 - np.tanh(x) ** 2,
    ),
    (
        "relu", "ReLU", "max(0, x)", False, "relu",
        lambda x, _: np.maximum(x, 0.0),
        lambda x, _: (x > 0).astype(float),
    ),
    (
        "leaky_relu", "Leaky ReLU", "x if x > 0, else a·x (a fixed)", False, "leaky_relu",
        lambda x, a: np.where(x > 0, x, a * x),
        lambda x, a: np.where(x > 0, 1.0, a),
    ),
    (
        "prelu", "PReLU", "x if x > 0, else a·x (a learned per channel)", False, "prelu",
        lambda x, a: np.where(x > 0, x, a * x),
        lambda x, a: np.where(x > 0, 1.0, a),
    ),
    (
        "elu", "ELU", "x if x > 0, else eˣ − 1", False, "elu",
        lambda x, _: np.where(x > 0, x, ELU_ALPHA * np.expm1(np.minimum(x, 0.0))),
        lambda x, _: np.where(x > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(x, 0.0))),
    ),
    (
        "gelu", "GELU", "x · Φ(x) (Φ: the normal distribution's CDF)", False, "gelu",
        _gelu, _gelu_prime,
    ),
    (
        "swish", "Swish (SiLU)", "x · σ(x)", False, "swish",
        lambda x, _: x * _sigmoid(x),
        lambda x, _: _sigmoid(x) * (1.0 + x * (1.0 - _sigmoid(x))),
    ),
    (
        "linear", "Linear (none)", "f(x) = x (Keras's \"linear\": no activation)", False, "linear",
        lambda x, _: np.array(x, dtype=np.float64, copy=True),
        lambda x, _: np.ones_like(x, dtype=np.float64),
    ),
]:  # fmt: skip
    _register(*_args)

#: Every activation function by key, in the order a page lists them.
FUNCTIONS: dict[str, ActivationFunction] = {f.key: f for f in REGISTRY}


def get(name: str) -> ActivationFunction:
    """The activation function called ``name``; ``InputError`` for an unknown one."""
    return REGISTRY.get(name)


def curves(
    name: str, x: np.ndarray | None = None, slope: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The function and its derivative on a grid.

    Args:
        name: a key of :data:`FUNCTIONS`.
        x: (N,) inputs; default 401 points from −6 to 6.
        slope: the negative-side slope of leaky ReLU and PReLU, in [0, 1].

    Returns:
        (x, f(x), f'(x)), each (N,) float64.
    """
    if not 0.0 <= float(slope) <= 1.0:
        raise InputError(f"The slope must be between 0 and 1; got {slope}.")
    fn = get(name)
    x = np.linspace(-6.0, 6.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    return x, fn.function(x, float(slope)), fn.derivative(x, float(slope))


def gradient_through_layers(name: str, x: float, layers: int, slope: float = 0.1) -> float:
    """How much of a gradient survives ``layers`` activations, all at input ``x``.

    Backpropagation multiplies the gradient by each layer's derivative (weights left out):
    ``f'(x) ** layers``. For the sigmoid at best 0.25ⁿ: 10 layers leave under one millionth.
    """
    _, _, d = curves(name, np.array([float(x)]), slope)
    return float(d[0] ** int(layers))


def slope_rows(names: list[str], slope: float = 0.1) -> list[dict]:
    """Each function's formula and its slope at 0, 5 and −5, as table rows.

    Returns:
        One dict per name: ``function`` (title), ``formula``, ``slope at 0``, ``slope at 5``,
        ``slope at −5`` (floats).
    """
    at = np.array([0.0, 5.0, -5.0])
    rows = []
    for name in names:
        d = curves(name, at, slope)[2]
        fn = get(name)
        rows.append(
            {
                "function": fn.title,
                "formula": fn.formula,
                "slope at 0": float(d[0]),
                "slope at 5": float(d[1]),
                "slope at −5": float(d[2]),
            }
        )
    return rows


def gradient_by_depth(name: str, x: float, layers: int, slope: float = 0.1) -> np.ndarray:
    """Share of a gradient left after 1..``layers`` activations at input ``x``.

    Returns:
        (layers,) float64: ``|f'(x)| ** depth`` for depth 1..layers.
    """
    d = float(curves(name, np.array([float(x)]), slope)[2][0])
    return np.abs(d) ** np.arange(1, int(layers) + 1)


def keras_function(name: str, slope: float = 0.1):
    """The same function written with ``keras.ops`` (for checking the derivatives)."""
    import keras

    ops = keras.ops
    table = {
        "sigmoid": ops.sigmoid,
        "tanh": ops.tanh,
        "relu": ops.relu,
        "leaky_relu": lambda t: ops.leaky_relu(t, negative_slope=slope),
        "prelu": lambda t: ops.where(t > 0, t, slope * t),
        "elu": lambda t: ops.elu(t, alpha=ELU_ALPHA),
        "gelu": lambda t: ops.gelu(t, approximate=False),
        "swish": ops.silu,
        "linear": lambda t: t,
    }
    get(name)
    return table[name]
