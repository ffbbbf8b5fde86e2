"""The code behind the Neurons playground: its points, features and network in plain Keras.

:class:`PlaygroundCode` is the code source the page passes to
:func:`cnnviz.ui.common.code_export.code_expander`. The points come from the point set's own
generator (its source, read with :mod:`inspect`, so it cannot drift), the features from
:data:`FEATURE_CODE` (a test checks them against :func:`cnnviz.feedforward.feature_matrix`),
and the network is the page's: the same layers, activation, sigmoid output, binary
cross-entropy, L2 on every weight matrix, Adam, batch size and epochs. Keras draws its own
first weights, so the run ends close to the page's, not bit for bit the same.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass

from cnnviz.codegen.program import Program, Step
from cnnviz.feedforward import FEATURES, POINT_SETS, PlaygroundConfig
from cnnviz.feedforward.playground import N_POINTS
from cnnviz.feedforward.pointsets import RADIUS

#: Each feature as a numpy expression of the coordinates ``x`` and ``y`` (in [-6, 6]).
FEATURE_CODE = {
    "x": f"x / {RADIUS:g}",
    "y": f"y / {RADIUS:g}",
    "x2": f"(x / {RADIUS:g}) ** 2",
    "y2": f"(y / {RADIUS:g}) ** 2",
    "xy": f"x * y / {RADIUS**2:g}",
    "sinx": "np.sin(x)",
    "siny": "np.sin(y)",
}
DEFAULT_EPOCHS = 60


@dataclass(frozen=True)
class PlaygroundCode:
    """What the Neurons playground ran: its settings and how many epochs.

    Attributes:
        config: the run's settings.
        epochs: epochs trained (the page's epoch count; 0 means :data:`DEFAULT_EPOCHS`).
    """

    config: PlaygroundConfig
    epochs: int = 0

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program; ``epochs`` and ``max_images`` (points drawn) shorten the run."""
        c = self.config
        n = N_POINTS if max_images is None else max(10, min(N_POINTS, max_images))
        epochs = epochs or self.epochs or DEFAULT_EPOCHS
        spec = POINT_SETS.get(c.dataset)
        generator = textwrap.dedent(inspect.getsource(spec.generate))
        name = spec.generate.__name__
        data = (
            "import numpy as np\n\n"
            f"RADIUS = {RADIUS!r}\n\n\n{generator}\n\n"
            f"rng = np.random.default_rng({c.seed})\n"
            f"points, labels = {name}({n}, {c.noise / 50!r}, rng)\n"
            "order = rng.permutation(len(points))  # shuffle, then split\n"
            "points, labels = points[order], labels[order]\n"
            f"k = round(len(points) * {c.train_percent / 100!r})\n"
            "train_points, y_train = points[:k], labels[:k]\n"
            "test_points, y_test = points[k:], labels[k:]\n"
            'print(len(train_points), "training points,", len(test_points), "test points")\n'
        )
        columns = ", ".join(FEATURE_CODE[k] for k in c.features)
        titles = ", ".join(FEATURES.get(k).title for k in c.features)
        features = (
            "def features(points):\n"
            f'    """The network\'s inputs: {titles}."""\n'
            "    x, y = points[:, 0], points[:, 1]\n"
            f"    return np.stack([{columns}], axis=1)\n\n\n"
            "x_train, x_test = features(train_points), features(test_points)\n"
        )
        reg = f"regularizers.l2({c.l2!r})" if c.l2 else "None"
        hidden = "".join(
            f'    layers.Dense({units}, activation="{c.activation}", kernel_regularizer={reg}),\n'
            for units in c.hidden
        )
        network = (
            "import keras\n"
            "from keras import layers, regularizers\n\n"
            "keras.utils.set_random_seed(" + str(c.seed) + ")\n"
            "model = keras.Sequential([\n"
            f"    keras.Input(shape=({len(c.features)},)),\n"
            f"{hidden}"
            f'    layers.Dense(1, activation="sigmoid", kernel_regularizer={reg}),\n'
            "])\n"
            "model.compile(\n"
            f"    optimizer=keras.optimizers.Adam(learning_rate={c.learning_rate!r}),\n"
            '    loss="binary_crossentropy",\n'
            '    metrics=["accuracy"],\n'
            ")\n"
            "model.summary()\n"
        )
        train = (
            "history = model.fit(\n"
            f"    x_train, y_train, batch_size={c.batch_size}, epochs={epochs}, shuffle=True,\n"
            "    validation_data=(x_test, y_test), verbose=0,\n"
            ")\n"
            "loss, accuracy = model.evaluate(x_test, y_test, verbose=0)\n"
            'print(f"test accuracy {accuracy:.1%}, test loss {loss:.3f}")\n'
        )
        draw = (
            "import plotly.graph_objects as go\n\n"
            "side = np.linspace(-RADIUS, RADIUS, 100)\n"
            "xx, yy = np.meshgrid(side, side)\n"
            "grid = np.stack([xx.ravel(), yy.ravel()], axis=1)\n"
            "p = model.predict(features(grid), verbose=0).reshape(xx.shape)\n"
            'fig = go.Figure(go.Contour(x=side, y=side, z=p, colorscale="RdBu", zmin=0, zmax=1,\n'
            '                           opacity=0.7, name="P(class 1)"))\n'
            'for name, pts, y, rim in (("training", train_points, y_train, "white"),\n'
            '                          ("test", test_points, y_test, "black")):\n'
            '    fig.add_scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=name,\n'
            '                    marker={"color": y, "colorscale": "RdBu", "cmin": 0, "cmax": 1,\n'
            '                            "line": {"color": rim, "width": 1}})\n'
            'fig.update_layout(title=f"test accuracy {accuracy:.1%}", width=600, height=600,\n'
            '                  yaxis={"scaleanchor": "x"})\n'
            'fig.write_html("decision_boundary.html")  # open it in a browser\n'
            "fig  # a notebook shows it here\n"
        )
        shape = " → ".join(
            [f"{len(c.features)} inputs", *(str(u) for u in c.hidden), "1 (sigmoid)"]
        )
        steps = (
            Step(
                "Make the points",
                f"{spec.title}: {spec.help} {n} points, noise {c.noise}, "
                f"{c.train_percent}% of them for training.",
                data,
            ),
            Step("Compute the features", "Each point becomes the network's inputs.", features),
            Step(
                "Build the network",
                f"{shape}, {c.activation} in the hidden layers"
                + (f", L2 {c.l2:g} on every weight" if c.l2 else "")
                + ".",
                network,
            ),
            Step(
                "Train",
                f"Adam at {c.learning_rate:g}, batches of {c.batch_size}, {epochs} epochs.",
                train,
            ),
            Step(
                "Draw the decision boundary",
                "The network's answer over the square, with "
                "the training points (white rim) and the test points (black rim).",
                draw,
            ),
        )
        return Program(
            title=f"A small network on the {spec.title.lower()} points",
            intro="TensorFlow Playground's experiment as on the Neurons playground page: "
            "the same points, inputs, network and training, in plain Keras.",
            steps=steps,
            requirements=("tensorflow", "numpy", "plotly"),
        )
