"""The code behind the Neurons playground's linear regression: LearnOpenCV's ``Dense(1)``.

:class:`RegressionCode` writes the page's fit in plain Keras: the same data and split
(``keras.datasets.boston_housing.load_data()``, or scikit-learn's diabetes table split the
same way), the features scaled by the training set's mean and spread, one ``Dense(1)`` unit
starting where the page starts (weights 0, bias the mean target), and full-batch SGD on the
mean squared error at the page's step size, so its weights are the page's (to float32).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError
from cnnviz.feedforward.regression import FIT_EPOCHS, FIT_LEARNING_RATE, SPLIT_SEED, TEST_SPLIT

_LOADERS = {
    "boston_housing": (
        "import keras\n"
        "import numpy as np\n\n"
        "(x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data(\n"
        f"    test_split={TEST_SPLIT!r}, seed={SPLIT_SEED}\n"
        ")\n"
        "names = ['CRIM', 'ZN', 'INDUS', 'CHAS', 'NOX', 'RM', 'AGE', 'DIS', 'RAD', 'TAX',\n"
        "         'PTRATIO', 'B', 'LSTAT']\n"
    ),
    "diabetes": (
        "import numpy as np\n"
        "from sklearn.datasets import load_diabetes\n\n"
        "table = load_diabetes()\n"
        "x, y, names = table.data, table.target, list(table.feature_names)\n"
        "order = np.arange(len(x))\n"
        f"np.random.RandomState({SPLIT_SEED}).shuffle(order)  # as Keras splits Boston housing\n"
        "x, y = x[order], y[order]\n"
        f"cut = int(len(x) * (1 - {TEST_SPLIT!r}))\n"
        "x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]\n"
    ),
}


@dataclass(frozen=True)
class RegressionCode:
    """The linear regression the page fitted.

    Attributes:
        dataset: ``"boston_housing"`` or ``"diabetes"`` (a ``RegressionData.key``).
    """

    dataset: str

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program; ``epochs`` shortens the fit (``max_images`` has no meaning here)."""
        if self.dataset not in _LOADERS:
            raise InputError(
                f"No regression code for {self.dataset!r}; choose one of: {', '.join(_LOADERS)}."
            )
        epochs = epochs or FIT_EPOCHS
        data = _LOADERS[self.dataset] + (
            'print(x_train.shape, "training rows,", x_test.shape, "test rows")\n'
        )
        scale = (
            "mean, std = x_train.mean(axis=0), x_train.std(axis=0)\n"
            "std[std == 0] = 1.0\n"
            "x_train_s, x_test_s = (x_train - mean) / std, (x_test - mean) / std\n"
        )
        model = (
            "import keras\n\n"
            "model = keras.Sequential([\n"
            "    keras.Input(shape=(x_train.shape[1],)),\n"
            "    keras.layers.Dense(\n"
            '        1, kernel_initializer="zeros",\n'
            "        bias_initializer=keras.initializers.Constant(y_train.mean()),\n"
            "    ),\n"
            "])\n"
            "model.compile(\n"
            f"    optimizer=keras.optimizers.SGD(learning_rate={FIT_LEARNING_RATE!r}),\n"
            '    loss="mean_squared_error",\n'
            '    metrics=["mean_absolute_error"],\n'
            ")\n"
            "model.summary()\n"
        )
        train = (
            "model.fit(x_train_s, y_train, batch_size=len(x_train_s), "
            f"epochs={epochs}, shuffle=False, verbose=0)\n"
            "weights, bias = model.layers[0].get_weights()\n"
            "for name, weight in sorted(zip(names, weights[:, 0]), key=lambda p: -abs(p[1])):\n"
            '    print(f"{name:>8} {weight:9.3f}")\n'
            'print(f"    bias {bias[0]:9.3f}")\n'
        )
        evaluate = (
            "_, mae = model.evaluate(x_test_s, y_test, verbose=0)\n"
            "baseline = np.mean(np.abs(y_train.mean() - y_test))\n"
            'print(f"test mean absolute error: model {mae:.2f}, always the mean {baseline:.2f}")\n'
        )
        title = "Boston housing" if self.dataset == "boston_housing" else "the diabetes table"
        steps = (
            Step("Load the data", f"{title}, 80% for training, 20% for the test.", data),
            Step(
                "Scale the features",
                "Mean 0 and standard deviation 1 on the training rows, so the weights compare.",
                scale,
            ),
            Step(
                "One neuron, no activation",
                "A weighted sum of the features plus a bias: one weight per feature, and the bias.",
                model,
            ),
            Step(
                "Fit by gradient descent",
                f"{epochs} steps on all the training rows at once, then the weights.",
                train,
            ),
            Step(
                "Compare with the mean", "The error against always predicting the mean.", evaluate
            ),
        )
        requirements = ("tensorflow", "numpy") + (
            ("scikit-learn",) if self.dataset == "diabetes" else ()
        )
        return Program(
            title=f"Linear regression on {title}",
            intro="LearnOpenCV's first model, as on the Neurons playground page: one Dense(1) "
            "unit fitted by gradient descent.",
            steps=steps,
            requirements=requirements,
        )
