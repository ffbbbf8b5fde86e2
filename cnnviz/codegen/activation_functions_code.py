"""The code of the Activation functions page: curves, slopes, and the vanishing gradient.

:class:`ActivationFunctionsCode` holds the page's settings (the functions, the negative-side
slope, the number of layers and the input to each); its program computes every function with
``keras.ops`` and its slope with TensorFlow's automatic differentiation, prints the page's
table (slope at 0, 5 and −5) and the share of a gradient left after the layers. The numbers
equal :mod:`cnnviz.activation_functions`'s hand-written derivatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnnviz import activation_functions as af
from cnnviz.codegen.program import Program, Step

#: Each function in keras.ops (what the page's tests check the hand-written ones against).
KERAS_CODE = {
    "sigmoid": "keras.ops.sigmoid(x)",
    "tanh": "keras.ops.tanh(x)",
    "relu": "keras.ops.relu(x)",
    "leaky_relu": "keras.ops.leaky_relu(x, negative_slope=SLOPE)",
    "prelu": "keras.ops.where(x > 0, x, SLOPE * x)",  # PReLU at its slope a
    "elu": "keras.ops.elu(x, alpha=1.0)",
    "gelu": "keras.ops.gelu(x, approximate=False)",
    "swish": "keras.ops.silu(x)",
    "linear": "x",
}


@dataclass(frozen=True)
class ActivationFunctionsCode:
    """The Activation functions page's settings.

    Attributes:
        names: keys of :data:`cnnviz.activation_functions.FUNCTIONS`.
        slope: the negative-side slope a of leaky ReLU and PReLU.
        layers: how many layers the gradient passes back through.
        x0: the input to every layer.
    """

    names: Sequence[str] = ("sigmoid", "tanh", "relu", "leaky_relu")
    slope: float = 0.1
    layers: int = 10
    x0: float = 1.0

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (``epochs`` and ``max_images`` do not apply: nothing trains)."""
        names = [af.get(n).key for n in self.names]
        table = "".join(f"    {n!r}: lambda x: {KERAS_CODE[n]},\n" for n in names)
        functions = (
            "import keras\nimport numpy as np\nimport tensorflow as tf\n\n"
            f"SLOPE = {float(self.slope)!r}  # a: leaky ReLU's and PReLU's negative-side slope\n"
            "FUNCTIONS = {\n" + table + "}\n\n\n"
            "def value_and_slope(name, x):\n"
            '    """f(x) and its derivative f\'(x), by automatic differentiation."""\n'
            "    x = tf.constant(np.asarray(x, np.float64))\n"
            "    with tf.GradientTape() as tape:\n"
            "        tape.watch(x)\n"
            "        y = FUNCTIONS[name](x)\n"
            "    return y.numpy(), tape.gradient(y, x).numpy()\n\n\n"
            "xs = np.linspace(-6.0, 6.0, 401)\n"
            "curves = {name: value_and_slope(name, xs) for name in FUNCTIONS}\n"
        )
        slopes = (
            "at = np.array([0.0, 5.0, -5.0])\n"
            "slope_table = {name: value_and_slope(name, at)[1] for name in FUNCTIONS}\n"
            "print(f\"{'function':12} {'slope at 0':>11} {'slope at 5':>11} \"\n"
            "      f\"{'slope at -5':>11}\")\n"
            "for name, (s0, s5, sm5) in slope_table.items():\n"
            '    print(f"{name:12} {s0:11.4f} {s5:11.4f} {sm5:11.4f}")\n'
        )
        vanishing = (
            f"LAYERS, X0 = {int(self.layers)}, {float(self.x0)!r}\n"
            "# Backpropagation multiplies the gradient by each layer's slope: f'(x0) ** layers.\n"
            "kept = {name: float(value_and_slope(name, [X0])[1][0] ** LAYERS) "
            "for name in FUNCTIONS}\n"
            "for name, share in kept.items():\n"
            "    print(f'after {LAYERS} layers at input {X0:g}, {name} keeps {share:.2g} of "
            "the gradient')\n"
        )
        show = (
            'if __name__ == "__main__":  # run as a script or in a notebook: draw them\n'
            "    import matplotlib.pyplot as plt\n\n"
            "    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))\n"
            "    for name, (y, dy) in curves.items():\n"
            "        left.plot(xs, y, label=name)\n"
            "        right.plot(xs, dy, label=name)\n"
            "    left.set_title('f(x)')\n"
            '    right.set_title("slope f\'(x)")\n'
            "    left.legend()\n"
            "    plt.show()\n"
        )
        steps = (
            Step(
                "The functions and their slopes",
                "After every convolution or dense layer, each value goes through an "
                "**activation function**. Its **slope** (its derivative) decides how much of "
                "the error signal gets back to earlier layers while training.",
                functions,
            ),
            Step("Their slopes at 0, 5 and −5", "", slopes),
            Step(
                "Vanishing gradients",
                "Sigmoid and tanh are flat far from 0: their slope is nearly 0 there, and even "
                "at best the sigmoid's is 0.25. Through many layers the signal shrinks to "
                "almost nothing. ReLU's slope is 1 for every positive input.",
                vanishing,
            ),
            Step("Look at them", "", show),
        )
        return Program(
            title="Activation functions and their slopes",
            intro=f"The Activation functions page's curves, slopes and vanishing gradient for "
            f"{', '.join(names)} (slope a = {self.slope:g}, {self.layers} layers at input "
            f"{self.x0:g}).",
            steps=steps,
            requirements=("tensorflow", "numpy", "matplotlib"),
        )


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """The lesson's sigmoid, tanh and ReLU (``lo_activation_functions``), the page's start."""
    program = ActivationFunctionsCode().program(epochs=epochs, max_images=max_images)
    intro = f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n{program.intro}"
    return Program(program.title, intro, program.steps, program.requirements)
