"""The code of the Activations page: what every layer of a network makes of one image.

:class:`ActivationsCode` holds the page's model and image; its program loads the model with
Keras, feeds the image as the model wants it, keeps every layer's output from one forward
pass, and prints the page's layer table (type, output shape, parameters, mean activation,
channels at zero). The outputs equal :func:`cnnviz.activations.layer_activations`'s for the
model's own layers (a nested base counts as one layer here; the page opens it up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.codegen.gradcam_code import ModelCode, _resize
from cnnviz.codegen.images_code import embedded_code
from cnnviz.codegen.program import Program, Step

_FORWARD_SEQUENTIAL = """\
# A Sequential model: its layers run one by one, and each output is kept.
x = preprocess(pixels)
activations = {}
for layer in model.layers:
    x = layer(x, training=False)
    activations[layer.name] = keras.ops.convert_to_numpy(x)
"""

_FORWARD_FUNCTIONAL = """\
# One model with one output per layer: every layer's output from one forward pass.
layers = [ly for ly in model.layers if not isinstance(ly, keras.layers.InputLayer)]
probe = keras.Model(model.inputs[0], [ly.output for ly in layers])
outputs = probe(preprocess(pixels), training=False)
activations = {ly.name: keras.ops.convert_to_numpy(o) for ly, o in zip(layers, outputs)}
"""

_TABLE = """\
print(f"{'layer':24} {'type':20} {'output':>14} {'params':>9} {'mean':>9}  at zero")
for layer in model.layers:
    act = activations.get(layer.name)
    if act is None:
        continue
    shape = "x".join(str(d) for d in act.shape[1:])
    mean = zeros = ""
    if act.ndim in (2, 4):  # dense units or channel maps
        per_channel = act[0].reshape(-1, act.shape[-1])
        mean = f"{per_channel.mean():.3g}"
        zeros = f"{int((np.abs(per_channel).max(axis=0) == 0).sum())} of {act.shape[-1]}"
    name, kind = layer.name, type(layer).__name__
    print(f"{name:24} {kind:20} {shape:>14} {layer.count_params():>9} {mean:>9}  {zeros}")
"""

_SHOW = """\
if __name__ == "__main__":  # run as a script or in a notebook: draw the first conv's maps
    import matplotlib.pyplot as plt

    first = next(n for n, a in activations.items() if a.ndim == 4)
    maps = activations[first][0]
    count = min(maps.shape[-1], 16)
    fig, axes = plt.subplots(1, count, figsize=(1.5 * count, 1.8), squeeze=False)
    for c, ax in enumerate(axes[0]):
        ax.imshow(maps[..., c], cmap="viridis")
        ax.set_title(str(c))
        ax.axis("off")
    fig.suptitle(f"{first}: channel maps")
    plt.show()
"""


@dataclass(frozen=True)
class ActivationsCode:
    """Every layer's output for one image, as the Activations page computes it.

    Attributes:
        model: how the script loads and feeds the model.
        image: (H, W, 3) uint8 RGB, the picked image (written in at the model's size).
        image_code: code that sets ``image`` instead (a dataset's test image, a file of the
            course's archive); ``image`` is then unused.
        image_words: where the image comes from, for the text.
        sequential: the model is a ``keras.Sequential`` (its layers run one by one).
    """

    model: ModelCode
    image: np.ndarray | None = None
    image_code: str = ""
    image_words: str = "the page's image"
    sequential: bool = True

    @classmethod
    def of(cls, model, image: np.ndarray, *, path: str | None = None) -> ActivationsCode:
        """The code source of the page's ``model`` (an ``ImageModel``) and picked image."""
        import keras

        from cnnviz import models

        return cls(
            model=ModelCode.of(model, path),
            image=np.asarray(image),
            sequential=isinstance(models.keras_model(model), keras.Sequential),
        )

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (``epochs`` and ``max_images`` do not apply: nothing trains)."""
        model = self.model
        h, w = model.input_size
        if self.image_code:
            load = self.image_code
        else:
            load = embedded_code(
                _resize(self.image, (h, w)),
                "image",
                note=f"The page's image at the model's size ({h}×{w}).",
            )
        steps = (
            Step(
                "The model",
                f"{model.title}, loaded with Keras.",
                "import base64\n\nimport cv2\nimport numpy as np\n" + model.load_code(),
            ),
            Step(
                "The image, as the model sees it",
                f"{self.image_words[:1].upper()}{self.image_words[1:]}, resized to {h}×{w} "
                f"and preprocessed the model's way ('{model.mode}').",
                model.prepare_code() + "\n\n" + load + "pixels = resize(image)[None]\n",
            ),
            Step(
                "Every layer's output",
                "An image goes through the network one layer at a time. Each convolution "
                "layer turns it into a stack of **channel maps**: bright where that layer's "
                "filter found its pattern.",
                _FORWARD_SEQUENTIAL if self.sequential else _FORWARD_FUNCTIONAL,
            ),
            Step(
                "The layer table",
                "*mean*: mean activation; *at zero*: channels that stay at zero.",
                _TABLE,
            ),
            Step("Look at them", "", _SHOW),
        )
        return Program(
            title=f"Every layer of {model.title} on one image",
            intro="What the Activations page computes: each layer's output for one image.",
            steps=steps,
            requirements=model.requirements("opencv-python-headless", "matplotlib"),
        )


#: Course datasets: the Keras call that loads them, and the channels the network takes.
_KERAS_DATASETS = {"mnist": "mnist", "fashion_mnist": "fashion_mnist"}


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """A course's activations: its trained network (a ``.keras`` file) on one course image.

    The page opens the model the student trained on the Train page with the same
    experiment; the script loads that file (``model.keras``, from the model store) and
    takes the first test image of the dataset (Keras's own loader), or the first
    validation picture of the course's archive.
    """
    from cnnviz.models import preprocessing

    if experiment.dataset in _KERAS_DATASETS:
        name = _KERAS_DATASETS[experiment.dataset]
        image_code = (
            f"(_, _), (x_test, y_test) = keras.datasets.{name}.load_data()\n"
            "image = np.repeat(x_test[0][..., None], 3, axis=-1)  # gray -> 3 equal channels\n"
        )
        words = f"the first test image of {experiment.dataset} (keras.datasets)"
        size, prep = (28, 28), preprocessing.unit(grayscale=True)
    else:
        image_code = (
            "# The first validation cat of the course's archive (unzipped next to the script).\n"
            'IMAGE_PATH = "cats_and_dogs_filtered/validation/cats/cat.2000.jpg"\n'
            "image = cv2.cvtColor(cv2.imread(IMAGE_PATH), cv2.COLOR_BGR2RGB)\n"
        )
        words = "a cat of the course's archive"
        size, prep = tuple(experiment.input_shape[:2]), preprocessing.unit()
    model = ModelCode(
        title=f"the network trained for '{experiment.title}'",
        path="model.keras",
        builder=None,
        weight_file=None,
        weight_url=None,
        input_size=size,
        scale=tuple(prep.scale),
        offset=tuple(prep.offset),
        bgr=False,
        grayscale=prep.grayscale,
        mode=prep.mode,
        logits="output",
    )
    # The courses' networks are functional models (cnnviz.architectures builds them so).
    source = ActivationsCode(
        model=model, image_code=image_code, image_words=words, sequential=False
    )
    program = source.program(epochs=epochs, max_images=max_images)
    intro = (
        f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n"
        "Train the course's network first (Train page, this experiment); model.keras is "
        f"that model's file in the app's model store. {program.intro}"
    )
    return Program(program.title, intro, program.steps, program.requirements)
