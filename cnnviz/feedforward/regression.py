"""Linear regression, LearnOpenCV's first model: one weight per feature plus a bias.

The course fits Keras's Boston housing data (13 features, so 13 weights and a bias: 14
parameters) with one ``Dense(1)`` unit. :func:`housing_data` reads that data from the Keras
cache when its file is there (``<KERAS_HOME>/datasets/boston_housing.npz``, split as
``keras.datasets.boston_housing.load_data()`` splits it), and otherwise gives
scikit-learn's bundled diabetes table (10 features: 11 parameters), and says which.
:func:`fit_linear` fits by gradient descent on the mean squared error, as the course's
``Dense(1)`` does, on features scaled to mean 0 and standard deviation 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.downloads import FALLBACK_HOME, keras_home
from cnnviz.errors import InputError

BOSTON_FILE = "boston_housing.npz"
FIT_EPOCHS = 2000
FIT_LEARNING_RATE = 0.1
TEST_SPLIT, SPLIT_SEED = 0.2, 113  # keras.datasets.boston_housing.load_data()'s defaults
BOSTON_FEATURES = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B",
    "LSTAT",
)  # fmt: skip


@dataclass(frozen=True)
class RegressionData:
    """A table of numbers to predict one number from.

    Attributes:
        key: ``"boston_housing"`` or ``"diabetes"``.
        title: its name for a student.
        about: one sentence on where it comes from and what the target is.
        feature_names: one name per column of ``x_train``.
        x_train, x_test: (N, features) float64.
        y_train, y_test: (N,) float64 targets.
        target: what ``y`` is, in words with its unit.
    """

    key: str
    title: str
    about: str
    feature_names: tuple[str, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    target: str

    @property
    def parameter_count(self) -> int:
        """Weights of a linear model on it: one per feature, plus the bias."""
        return len(self.feature_names) + 1


def boston_file() -> Path | None:
    """Where Keras's Boston housing file is in the Keras cache, or None."""
    for home in (keras_home(), FALLBACK_HOME):
        path = home / "datasets" / BOSTON_FILE
        if path.is_file():
            return path
    return None


def load_boston(
    path: Path, test_split: float = TEST_SPLIT, seed: int = SPLIT_SEED
) -> RegressionData:
    """The Boston housing data from Keras's file, split exactly as Keras splits it.

    Raises:
        InputError: the file is not Keras's (no ``x`` of 13 columns and ``y``).
    """
    try:
        with np.load(path, allow_pickle=False) as f:
            x, y = np.asarray(f["x"], np.float64), np.asarray(f["y"], np.float64)
    except (OSError, KeyError, ValueError) as err:
        raise InputError(f"{path} is not Keras's Boston housing file ({err}).") from None
    if x.ndim != 2 or x.shape[1] != len(BOSTON_FEATURES) or len(y) != len(x):
        raise InputError(f"{path} should hold x of shape (N, 13) and y of N prices, not {x.shape}.")
    # keras.datasets.boston_housing.load_data: shuffle with RandomState(113), last 20 % test.
    x_train, y_train, x_test, y_test = _shuffled_split(x, y, test_split, seed)
    return RegressionData(
        "boston_housing", "Boston housing (Keras)",
        "House prices in 506 Boston suburbs in the 1970s, from Keras's "
        "keras.datasets.boston_housing, the data of LearnOpenCV's lesson.",
        BOSTON_FEATURES, x_train, y_train, x_test, y_test,
        "median house price (k$)",
    )  # fmt: skip


def _shuffled_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Keras's split: shuffle rows with ``RandomState(seed)``, the last ``test_split`` for test.

    Args:
        x: (N, F) features.
        y: (N,) targets.
        test_split: the share of rows kept for testing.
        seed: the shuffle's seed (Keras: 113).

    Returns:
        ``(x_train, y_train, x_test, y_test)``.
    """
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return x[:cut], y[:cut], x[cut:], y[cut:]


def load_diabetes(test_split: float = TEST_SPLIT, seed: int = SPLIT_SEED) -> RegressionData:
    """scikit-learn's bundled diabetes table (442 patients, 10 features), offline."""
    from sklearn.datasets import load_diabetes as sklearn_diabetes

    table = sklearn_diabetes()
    x, y = np.asarray(table.data, np.float64), np.asarray(table.target, np.float64)
    x_train, y_train, x_test, y_test = _shuffled_split(x, y, test_split, seed)
    return RegressionData(
        "diabetes", "Diabetes (scikit-learn, offline)",
        "442 diabetes patients: age, sex, body mass index, blood pressure and six blood "
        "measurements, from scikit-learn's bundled copy (no download needed).",
        tuple(table.feature_names), x_train, y_train, x_test, y_test,
        "disease progression one year later (a score)",
    )  # fmt: skip


def housing_data() -> RegressionData:
    """The course's Boston housing data when Keras has it, else the offline diabetes table."""
    path = boston_file()
    return load_boston(path) if path is not None else load_diabetes()


@dataclass(frozen=True)
class LinearFit:
    """A fitted linear model ``y = (x - mean) / std · weights + bias``.

    Attributes:
        weights: (features,) one weight per scaled feature (comparable across features).
        bias: the prediction at the mean of every feature.
        mean, std: (features,) the training set's per-feature mean and spread.
        loss: the training mean squared error after each epoch.
    """

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    std: np.ndarray
    loss: tuple[float, ...]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions (N,) for ``x`` (N, features) in the data's own units."""
        return (np.asarray(x, np.float64) - self.mean) / self.std @ self.weights + self.bias


def fit_linear(
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = FIT_EPOCHS,
    learning_rate: float = FIT_LEARNING_RATE,
) -> LinearFit:
    """Fit one weight per feature and a bias by full-batch gradient descent on the MSE.

    Args:
        x: (N, features) training inputs.
        y: (N,) targets.
        epochs: gradient steps on the whole set.
        learning_rate: step size on the scaled features (0.1 is stable up to a feature
            correlation matrix whose largest eigenvalue is 10).

    Returns:
        The fit; with enough epochs its weights are the least-squares solution.

    Raises:
        InputError: shapes that do not match, or too few rows.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.ndim != 2 or y.shape != (len(x),) or len(x) < 2:
        raise InputError(f"Expected x (N, features) and y (N,), got {x.shape} and {y.shape}.")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # a constant column stays 0 after scaling
    z = (x - mean) / std
    w, b = np.zeros(x.shape[1]), float(y.mean())
    losses = []
    for _ in range(epochs):
        error = z @ w + b - y
        losses.append(float(np.mean(error**2)))
        # d/dw mean((zw + b - y)²) = 2 zᵀ(error) / N; the same for b with a column of ones.
        w -= learning_rate * 2 * z.T @ error / len(y)
        b -= learning_rate * 2 * float(error.mean())
    return LinearFit(w, b, mean, std, tuple(losses))


def errors(fit: LinearFit, data: RegressionData) -> dict[str, dict[str, float]]:
    """Mean absolute error of the fit and of the trivial baseline, on train and test.

    The baseline predicts the training set's mean target for every row.

    Returns:
        ``{"model" | "baseline": {"train": mae, "test": mae}}``, in the target's units.
    """
    base = float(data.y_train.mean())
    out: dict[str, dict[str, float]] = {"model": {}, "baseline": {}}
    for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        out["model"][split] = float(np.mean(np.abs(fit.predict(x) - y)))
        out["baseline"][split] = float(np.mean(np.abs(base - y)))
    return out
