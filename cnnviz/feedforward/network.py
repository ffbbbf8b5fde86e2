"""A small dense network in numpy: forward pass, gradients and one optimiser step.

Fast enough to train a Playground network many epochs a second on one CPU core with no
TensorFlow at all, and small enough to read: the hidden layers use the chosen activation,
the output is one sigmoid unit (the probability of class 1), the loss is binary
cross-entropy plus ``l2`` times the sum of the squared weights, and the optimiser is Adam.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cnnviz.errors import InputError

ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1.0 - a**2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(a.dtype)),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda a: a * (1.0 - a)),
    "linear": (lambda z: z, lambda a: np.ones_like(a)),
}
"""Name -> (function, its slope written with the function's output ``a``)."""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the same as 1 / (1 + e^-z), without overflow


@dataclass
class Network:
    """Weights of a dense network and the state of its Adam optimiser.

    Attributes:
        weights: one (inputs, outputs) matrix per layer, the last with one output.
        biases: one (outputs,) vector per layer.
        activation: a key of :data:`ACTIVATIONS`, used by every hidden layer.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "tanh"
    _moments: list[np.ndarray] = field(default_factory=list, repr=False)
    _steps: int = 0

    @classmethod
    def create(
        cls, inputs: int, hidden: Sequence[int], activation: str = "tanh", seed: int = 0
    ) -> Network:
        """A network with ``inputs`` inputs, ``hidden`` neurons per hidden layer, one output.

        Weights start Glorot-uniform (He for ReLU), biases at 0.1 for ReLU (so few start off)
        and at 0 otherwise.
        """
        if activation not in ACTIVATIONS:
            raise InputError(
                f"Unknown activation {activation!r}; choose one of: {', '.join(ACTIVATIONS)}."
            )
        rng = np.random.default_rng(seed)
        sizes = [inputs, *hidden, 1]
        weights, biases = [], []
        for fan_in, fan_out in itertools.pairwise(sizes):
            limit = np.sqrt((6.0 if activation != "relu" else 12.0) / (fan_in + fan_out))
            weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)))
            biases.append(np.full(fan_out, 0.1 if activation == "relu" else 0.0))
        return cls(weights, biases, activation)

    @property
    def parameter_count(self) -> int:
        """Number of weights and biases."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases, strict=True))

    def forward(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for ``inputs`` (N, inputs).

        Returns:
            One (N, units) array per hidden layer, then the (N, 1) output in [0, 1].
        """
        act = ACTIVATIONS[self.activation][0]
        outputs, a = [], np.asarray(inputs, dtype=np.float64)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w + b
            a = _sigmoid(z) if i == len(self.weights) - 1 else act(z)
            outputs.append(a)
        return outputs

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """The probability of class 1, (N,) in [0, 1]."""
        return self.forward(inputs)[-1][:, 0]

    def gradients(
        self, inputs: np.ndarray, labels: np.ndarray, l2: float = 0.0
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The loss on a batch and its gradients for every weight and bias.

        Args:
            inputs: (N, inputs) features.
            labels: (N,) in {0, 1}.
            l2: the weight decay factor (the loss adds ``l2`` times the squared weights).

        Returns:
            (loss, weight gradients, bias gradients), the gradients shaped like the weights.
        """
        slope = ACTIVATIONS[self.activation][1]
        outputs = self.forward(inputs)
        p = outputs[-1][:, 0]
        y = np.asarray(labels, dtype=np.float64)
        eps = 1e-7
        loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        loss += l2 * sum(float(np.sum(w**2)) for w in self.weights)
        # With a sigmoid output, cross-entropy's gradient on the output's input is p - y.
        delta = ((p - y) / len(y))[:, None]
        grad_w, grad_b = [], []
        for i in range(len(self.weights) - 1, -1, -1):
            previous = outputs[i - 1] if i > 0 else np.asarray(inputs, dtype=np.float64)
            grad_w.append(previous.T @ delta + 2 * l2 * self.weights[i])
            grad_b.append(delta.sum(axis=0))
            if i > 0:
                delta = (delta @ self.weights[i].T) * slope(previous)
        return float(loss), grad_w[::-1], grad_b[::-1]

    def step(
        self, inputs: np.ndarray, labels: np.ndarray, learning_rate: float, l2: float = 0.0
    ) -> float:
        """One Adam step on one batch; returns the batch's loss before the step."""
        loss, grad_w, grad_b = self.gradients(inputs, labels, l2)
        params = [*self.weights, *self.biases]
        grads = [*grad_w, *grad_b]
        if not self._moments:
            self._moments = [np.zeros_like(p) for p in params for _ in range(2)]
        self._steps += 1
        beta1, beta2 = 0.9, 0.999
        # Adam: running means of the gradient (m) and of its square (v), bias-corrected.
        for k, (param, grad) in enumerate(zip(params, grads, strict=True)):
            m, v = self._moments[2 * k], self._moments[2 * k + 1]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad**2
            m_hat = m / (1 - beta1**self._steps)
            v_hat = v / (1 - beta2**self._steps)
            param -= learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
        return loss
