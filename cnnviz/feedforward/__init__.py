"""The feedforward playground: 2-D point sets, small dense networks and linear regression.

LearnOpenCV's first lessons and TensorFlow Playground, in numpy (no TensorFlow needed):

- ``POINT_SETS`` (circle, XOR, two Gaussians, spiral) and
  ``make_points(key, *, n, noise, train_ratio, seed) -> Points``;
- ``FEATURES`` (x, y, x², y², xy, sin x, sin y) and ``feature_matrix(points, keys)``;
- ``PlaygroundConfig`` (the whole state of a run; ``to_params()`` / ``from_params(query)``
  carry it in a link, ``linear()`` is the same run with a line instead of a net) and
  ``Playground(config)``, trained a few epochs at a time with ``train(epochs)``, with
  ``accuracy(split)``, ``train_loss``/``test_loss`` and every neuron over the plane
  (``grid(resolution)``);
- ``housing_data()`` (Keras's Boston housing when its file is in the Keras cache, else
  scikit-learn's offline diabetes table), ``fit_linear(x, y)`` and ``errors(fit, data)``
  against the predict-the-mean baseline.
"""

from cnnviz.feedforward.features import FEATURES, feature_matrix
from cnnviz.feedforward.network import ACTIVATIONS, Network
from cnnviz.feedforward.playground import Playground, PlaygroundConfig
from cnnviz.feedforward.pointsets import POINT_SETS, Points, make_points
from cnnviz.feedforward.regression import (
    LinearFit,
    RegressionData,
    errors,
    fit_linear,
    housing_data,
)

__all__ = [
    "ACTIVATIONS",
    "FEATURES",
    "POINT_SETS",
    "LinearFit",
    "Network",
    "Playground",
    "PlaygroundConfig",
    "Points",
    "RegressionData",
    "errors",
    "feature_matrix",
    "fit_linear",
    "housing_data",
    "make_points",
]
