"""One Playground run: its settings, its data, its network and its loss curves.

:class:`PlaygroundConfig` is the whole state a link carries (``to_params`` /
``from_params``, as TensorFlow Playground keeps its state in the address);
:class:`Playground` trains it a few epochs at a time, so a page can redraw between chunks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cnnviz.errors import InputError
from cnnviz.feedforward.features import FEATURES, feature_matrix
from cnnviz.feedforward.network import ACTIVATIONS, Network
from cnnviz.feedforward.pointsets import POINT_SETS, RADIUS, make_points

N_POINTS = 500
MAX_LAYERS = 6
MAX_NEURONS = 8
LEARNING_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
L2_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1)
BATCH_SIZES = (1, 5, 10, 20, 30, 50, 100, 250)


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that decides a Playground run (and nothing else).

    Attributes:
        dataset: a key of :data:`~cnnviz.feedforward.pointsets.POINT_SETS`.
        noise: 0 to 50 (per cent, the Playground's scale).
        train_percent: share of the points used for training, 10 to 90.
        features: keys of :data:`~cnnviz.feedforward.features.FEATURES`, in their order.
        hidden: neurons per hidden layer, e.g. ``(8, 8)``; ``()`` is a linear model.
        activation: of the hidden layers, a key of ``network.ACTIVATIONS``.
        learning_rate, l2, batch_size: Adam's step size, the weight decay, the batch size.
        seed: draws the points and the first weights.
    """

    dataset: str = "spiral"
    noise: int = 0
    train_percent: int = 50
    features: tuple[str, ...] = ("x", "y", "sinx", "siny")
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    learning_rate: float = 0.03
    l2: float = 0.0
    batch_size: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        POINT_SETS.get(self.dataset)
        if not 0 <= self.noise <= 50:
            raise InputError(f"The noise must be 0 to 50, not {self.noise}.")
        if not 10 <= self.train_percent <= 90:
            raise InputError(f"The training share must be 10 to 90 %, not {self.train_percent}.")
        if not self.features:
            raise InputError("Pick at least one input feature.")
        for key in self.features:
            FEATURES.get(key)
        if len(set(self.features)) != len(self.features):
            raise InputError(f"An input feature is named twice: {', '.join(self.features)}.")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in self.hidden):
            raise InputError(
                f"Up to {MAX_LAYERS} hidden layers of 1 to {MAX_NEURONS} neurons each, "
                f"not {list(self.hidden)}."
            )
        if self.activation not in ACTIVATIONS:
            raise InputError(
                f"Unknown activation {self.activation!r}; choose one of: {', '.join(ACTIVATIONS)}."
            )
        if not 0 < self.learning_rate <= 10:
            raise InputError(
                f"The learning rate must be above 0 and at most 10, not {self.learning_rate}."
            )
        if not 0 <= self.l2 <= 1:
            raise InputError(f"The L2 factor must be 0 to 1, not {self.l2}.")
        if not 1 <= self.batch_size <= N_POINTS:
            raise InputError(f"The batch size must be 1 to {N_POINTS}, not {self.batch_size}.")
        if not 0 <= self.seed < 2**31:
            raise InputError(f"The seed must be a whole number from 0, not {self.seed}.")

    def linear(self) -> PlaygroundConfig:
        """The same run with a line instead of a net: no hidden layer, x and y only."""
        return dataclasses.replace(self, features=("x", "y"), hidden=())

    def to_params(self) -> dict[str, str]:
        """The settings as an address's query (every value a string)."""
        return {
            "set": self.dataset,
            "noise": str(self.noise),
            "train": str(self.train_percent),
            "features": ",".join(self.features),
            "hidden": ",".join(str(n) for n in self.hidden),
            "activation": self.activation,
            "lr": f"{self.learning_rate:g}",
            "l2": f"{self.l2:g}",
            "batch": str(self.batch_size),
            "seed": str(self.seed),
        }

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> PlaygroundConfig:
        """Settings from an address's query; missing keys keep their defaults.

        Raises:
            InputError: a value that is not a number where one is needed, or out of range;
                the message names the parameter.
        """
        known = set(cls().to_params())
        values: dict = {}

        def number(key: str, kind: type) -> None:
            try:
                values[key] = kind(params[key])
            except ValueError:
                raise InputError(
                    f"The link's {key!r} should be a {'whole ' if kind is int else ''}number, "
                    f"not {params[key]!r}."
                ) from None

        fields = {"noise": ("noise", int), "train": ("train_percent", int),
                  "lr": ("learning_rate", float), "l2": ("l2", float),
                  "batch": ("batch_size", int), "seed": ("seed", int)}  # fmt: skip
        for key in params:
            if key not in known:
                continue
            if key in fields:
                name, kind = fields[key]
                number(key, kind)
                values[name] = values.pop(key)
        if "set" in params:
            values["dataset"] = params["set"]
        if "activation" in params:
            values["activation"] = params["activation"]
        if "features" in params:
            values["features"] = tuple(k for k in params["features"].split(",") if k)
        if "hidden" in params:
            try:
                values["hidden"] = tuple(int(n) for n in params["hidden"].split(",") if n)
            except ValueError:
                raise InputError(
                    f"The link's 'hidden' should be neuron counts like 8,8, "
                    f"not {params['hidden']!r}."
                ) from None
        return cls(**values)


@dataclass
class Playground:
    """A run in progress: train it a few epochs at a time and look at it between chunks.

    Attributes:
        config: the settings.
        network: the numpy network being trained.
        epoch: epochs done so far.
        train_loss, test_loss: the loss after each epoch (cross-entropy, without L2).
    """

    config: PlaygroundConfig
    network: Network = field(init=False)
    epoch: int = 0
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        c = self.config
        self.points = make_points(
            c.dataset, n=N_POINTS, noise=c.noise / 50, train_ratio=c.train_percent / 100,
            seed=c.seed,
        )  # fmt: skip
        self._x_train = feature_matrix(self.points.x_train, c.features)
        self._x_test = feature_matrix(self.points.x_test, c.features)
        self.network = Network.create(len(c.features), c.hidden, c.activation, seed=c.seed)
        self._rng = np.random.default_rng(c.seed + 1)

    def train(self, epochs: int = 1) -> None:
        """Train ``epochs`` more epochs (shuffled mini-batches) and record the losses."""
        c, n = self.config, len(self._x_train)
        for _ in range(epochs):
            order = self._rng.permutation(n)
            for start in range(0, n, c.batch_size):
                batch = order[start : start + c.batch_size]
                self.network.step(
                    self._x_train[batch], self.points.y_train[batch], c.learning_rate, c.l2
                )
            self.epoch += 1
            self.train_loss.append(self.loss("train"))
            self.test_loss.append(self.loss("test"))

    def _split(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        if split == "train":
            return self._x_train, self.points.y_train
        if split == "test":
            return self._x_test, self.points.y_test
        raise InputError(f"The split must be 'train' or 'test', not {split!r}.")

    def loss(self, split: str = "test") -> float:
        """Binary cross-entropy on ``split`` ("train" or "test")."""
        x, y = self._split(split)
        p = np.clip(self.network.predict(x), 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def accuracy(self, split: str = "test") -> float:
        """Share of ``split``'s points on the right side of the boundary, in [0, 1]."""
        x, y = self._split(split)
        return float(np.mean((self.network.predict(x) > 0.5) == y))

    def grid(self, resolution: int = 50) -> list[np.ndarray]:
        """Every neuron's output over the square, for pictures of the boundary.

        Args:
            resolution: pixels per side; row 0 is the top (y = +6), column 0 the left.

        Returns:
            One (resolution, resolution, units) array per hidden layer, then the output
            (resolution, resolution, 1), the probability of class 1.
        """
        side = np.linspace(-RADIUS, RADIUS, resolution)
        xx, yy = np.meshgrid(side, side[::-1])
        points = np.stack([xx.ravel(), yy.ravel()], axis=1)
        layers = self.network.forward(feature_matrix(points, self.config.features))
        return [a.reshape(resolution, resolution, -1) for a in layers]

    def input_maps(self, resolution: int = 50) -> np.ndarray:
        """Each input feature over the square, (resolution, resolution, features)."""
        side = np.linspace(-RADIUS, RADIUS, resolution)
        xx, yy = np.meshgrid(side, side[::-1])
        points = np.stack([xx.ravel(), yy.ravel()], axis=1)
        return feature_matrix(points, self.config.features).reshape(resolution, resolution, -1)
