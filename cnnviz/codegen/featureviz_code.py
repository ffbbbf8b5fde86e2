"""The code of the Filter visualization page: gradient ascent on an image for one filter.

:class:`FeatureVizCode` holds what the page runs (the model, the layer, the filters, the
steps, the image size, the seed and the recipe); its :meth:`~FeatureVizCode.program` writes
the loop in Keras and TensorFlow. Like the page, it feeds the image at its own size through
the layers up to the chosen one (a chain of layers: a Sequential model, or VGG16) and
maximises the mean of each filter's value **before** its ReLU, so a silent filter still gets
a gradient.

* ``"naive"``: the page's recipe step for step (grey plus noise from the same seeded
  streams, unit-RMS gradient steps of 0.01, pixels clipped to [0, 1]): the pictures are
  the page's (tests: within one grey level).
* ``"fourier"``: the same ingredients (1/f spectrum with decorrelated colours, a random
  grey-padded shift, scale and turn each step, Adam; the basis and the warp are the page's
  own classes, read with :mod:`inspect`), optimised at the full size; the page
  optimises one period of a periodic canvas and repeats it, so its pictures differ in
  detail (tests: each picture excites its own filter far more than the start does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz.codegen.gradcam_code import ModelCode
from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError

_PREPROCESS = '''\
def preprocess(x):
    """Pixels 0..255 -> model input ("{mode}" preprocessing), differentiably."""
{colour}    return x * np.array({scale!r}, np.float32) + np.array({offset!r}, np.float32)
'''

_NAIVE = '''\
def naive(filters, steps, size, seed):
    """Grey plus noise, then unit-RMS gradient steps on the pixels (no regularisation)."""
    rngs = [np.random.default_rng([seed, i]) for i in filters]
    start = np.stack([0.5 + r.uniform(-NOISE, NOISE, (size, size, 3)) for r in rngs])
    x = tf.constant(start.astype(np.float32))
    mask = tf.one_hot(filters, CHANNELS)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = tf.reduce_sum(filter_means(x) * mask)
        grad = tape.gradient(score, x)
        # The same step size for every filter, whatever the scale of its activations.
        rms = tf.sqrt(tf.reduce_mean(grad * grad, axis=(1, 2, 3), keepdims=True))
        x = tf.clip_by_value(x + STEP * grad / (rms + 1e-8), 0.0, 1.0)
    return np.clip(np.rint(x.numpy() * 255.0), 0, 255).astype(np.uint8)
'''

_FOURIER = '''\
def fourier(filters, steps, size, seed):
    """Olah et al. (Distill 2017): a 1/f spectrum, random jitter every step, Adam."""
    rngs = [np.random.default_rng([seed, i]) for i in filters]
    start = np.stack([r.normal(0.0, SPECTRUM_SD, (2, 3, size, size // 2 + 1)) for r in rngs])
    side = float(min(INPUT_SIDE, size))  # the network's own scale, in canvas pixels
    warp = RandomAffine()
    warps = np.stack([warp.sample(r, max(steps, 1), size, side) for r in rngs], axis=1)
    basis = FourierBasis.make(size, size)
    spectrum = tf.Variable(start.astype(np.float32))
    adam = keras.optimizers.Adam(learning_rate=RATE, epsilon=1e-8)
    mask = tf.one_hot(filters, CHANNELS)
    for k in range(steps):
        with tf.GradientTape() as tape:
            images = warp.apply(basis.image(spectrum), warps[k], size)
            loss = -tf.reduce_sum(filter_means(images) * mask)  # Adam descends: minus
        adam.apply_gradients([(tape.gradient(loss, spectrum), spectrum)])
    pixels = keras.ops.convert_to_numpy(basis.image(spectrum))
    return np.clip(np.rint(pixels * 255.0), 0, 255).astype(np.uint8)
'''


def _naive_code() -> str:
    """The naive recipe: the page's start noise and step written in as constants."""
    from cnnviz.featureviz import recipes

    recipe = recipes.NAIVE
    return (
        f"NOISE = {float(recipe.param.noise)!r}  # start: grey plus uniform noise of this size\n"
        f"STEP = {float(recipe.optimizer.learning_rate)!r}  # each step's size (unit-RMS)\n\n\n"
        + _NAIVE
    )


def _fourier_code(size: int) -> str:
    """The quality recipe: the page's own Fourier basis and random warp, read with inspect."""
    from cnnviz.codegen import inline
    from cnnviz.featureviz import param, recipes, transforms

    recipe = recipes.FOURIER
    # Two decimals, as published: the same float32 values as the page's.
    sqrt = np.round(param.COLOR_CORRELATION_SQRT.astype(np.float64), 6).tolist()
    return (
        "from dataclasses import dataclass\n\nimport keras\n\n"
        "# Square root of the colour covariance of ImageNet pixels (Lucid); its columns\n"
        "# scaled to norm <= 1 turn decorrelated channels into RGB.\n"
        f"COLOR = np.array({sqrt!r}, np.float32)\n"
        "COLOR_MIX = COLOR / np.max(np.linalg.norm(COLOR, axis=0))\n"
        f"SPECTRUM_SD = {float(recipe.param.spread)!r}  # spread of the starting spectrum\n"
        f"RATE = {recipe.optimizer.rate(size)!r}  # Adam's step at this size\n\n\n"
        + inline.function_source(
            param.FourierBasis,
            transforms.border,
            transforms.random_affine,
            transforms.RandomAffine,
            # The script has no `from __future__ import annotations`: a forward reference.
            replace=[(") -> FourierBasis:", ') -> "FourierBasis":')],
        )
        + "\n\n"
        + _FOURIER
    )


@dataclass(frozen=True)
class FeatureVizCode:
    """Filter pictures by gradient ascent, as the Filter visualization page makes them.

    Attributes:
        model: how the script loads and feeds the model (see :class:`ModelCode`).
        chain: the layers from the input up to ``layer``, in order (they run one by one).
        layer: the convolution whose filters are shown.
        pre_relu: the layer ends in a ReLU: its value before it is maximised.
        channels: the layer's number of filters.
        filters: the filters to draw.
        steps, size, seed: the page's settings.
        methods: recipe keys, ``"fourier"`` and / or ``"naive"``.
    """

    model: ModelCode
    chain: tuple[str, ...]
    layer: str
    pre_relu: bool
    channels: int
    filters: tuple[int, ...]
    steps: int
    size: int
    seed: int = 0
    methods: tuple[str, ...] = ("fourier",)

    @classmethod
    def of(
        cls,
        model,
        layer: str,
        filters: Sequence[int],
        *,
        steps: int,
        size: int,
        seed: int = 0,
        methods: Sequence[str] = ("fourier",),
        path: str | None = None,
    ) -> FeatureVizCode:
        """The code source of what the page runs for ``model`` (an ``ImageModel``).

        Raises:
            InputError: the layers up to ``layer`` are not a simple chain (the code is
                written for those), or the model cannot be loaded without cnnviz.
        """
        import keras

        from cnnviz import models

        km = models.keras_model(model)
        layers = list(km.layers)
        names = [ly.name for ly in layers]
        if layer not in names:
            raise InputError(
                f"The layer {layer!r} sits inside a nested model: the code is written for "
                "layers of the model itself."
            )
        chain = [ly for ly in layers[: names.index(layer) + 1] if not _is_input(ly)]
        if not isinstance(km, keras.Sequential):
            previous = km.inputs[0]
            for ly in chain:
                if ly.input is not previous:
                    raise InputError(
                        "The code for filter pictures is written for networks that are one "
                        f"chain of layers (Sequential, VGG16); {model.name} branches before "
                        f"{layer}."
                    )
                previous = ly.output
        target = chain[-1]
        activation = getattr(getattr(target, "activation", None), "__name__", None)
        if not isinstance(target, keras.layers.Conv2D) or type(target) is not keras.layers.Conv2D:
            raise InputError(
                f"The code for filter pictures is written for Conv2D layers; {layer} is a "
                f"{type(target).__name__}."
            )
        pre = activation in ("relu", "relu6")
        return cls(
            model=ModelCode.of(model, path),
            chain=tuple(ly.name for ly in chain),
            layer=layer,
            pre_relu=pre,
            channels=int(models.layer_info(model, layer).output_shape[-1]),
            filters=tuple(int(i) for i in filters),
            steps=int(steps),
            size=int(size),
            seed=int(seed),
            methods=tuple(methods),
        )

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program; ``epochs`` caps the steps and ``max_images`` the filters (tests)."""
        steps = self.steps if epochs is None else min(self.steps, int(epochs))
        filters = self.filters if max_images is None else self.filters[: max(1, max_images)]
        model = self.model
        if model.grayscale:
            colour = (
                "    x = keras.ops.sum(x * np.array([0.299, 0.587, 0.114], np.float32), "
                "axis=-1, keepdims=True)\n"
            )
        elif model.bgr:
            colour = "    x = x[..., ::-1]  # RGB -> BGR\n"
        else:
            colour = ""
        channels = 1 if model.grayscale else 3
        preprocess = _PREPROCESS.format(
            mode=model.mode,
            colour=colour,
            scale=[float(np.float32(v)) for v in model.scale[:channels]],
            offset=[float(np.float32(v)) for v in model.offset[:channels]],
        )
        if self.pre_relu:
            last = (
                "    # The convolution without its ReLU (Lucid's pre_relu): a filter that is\n"
                "    # silent on the start image still gets a gradient.\n"
                "    layer = model.get_layer(LAYER)\n"
                "    x = keras.ops.conv(x, layer.kernel, strides=layer.strides, "
                "padding=layer.padding,\n"
                "                       dilation_rate=layer.dilation_rate)\n"
                "    if layer.use_bias:\n"
                "        x = x + layer.bias\n"
            )
            below = "CHAIN[:-1]"
        else:
            last = ""
            below = "CHAIN"
        means = (
            f"LAYER = {self.layer!r}\n"
            f"CHANNELS = {self.channels}  # filters of the layer\n"
            f"CHAIN = {list(self.chain)!r}  # the layers that run, in order\n"
            f"INPUT_SIDE = {model.input_size[0]}\n\n\n"
            + preprocess
            + "\n\ndef filter_means(images):\n"
            '    """Images (N, s, s, 3) in [0, 1] -> (N, CHANNELS) mean of every filter.\n\n'
            "    The image goes through the layers at its own size (convolutions take any size).\n"
            '    """\n'
            "    x = preprocess(images * 255.0)\n"
            f"    for name in {below}:\n"
            "        x = model.get_layer(name)(x, training=False)\n" + last + "    return "
            "keras.ops.mean(x, axis=(1, 2))\n"
        )
        recipes = ""
        if "naive" in self.methods:
            recipes += _naive_code()
        if "fourier" in self.methods:
            recipes += ("\n\n" if recipes else "") + _fourier_code(self.size)
        run = (
            f"FILTERS = {list(filters)!r}\n"
            f"STEPS, SIZE, SEED = {steps}, {self.size}, {self.seed}\n\n"
            "pictures = {}\n"
            + "".join(
                f"pictures[{m!r}] = {m}(FILTERS, STEPS, SIZE, SEED)  # (N, SIZE, SIZE, 3) uint8\n"
                for m in self.methods
            )
            + "for recipe, images in pictures.items():\n"
            "    reached = filter_means(images.astype(np.float32) / 255.0).numpy()\n"
            "    print(recipe, 'mean of each filter on its picture:',\n"
            "          [round(float(reached[i, f]), 3) for i, f in enumerate(FILTERS)])\n"
        )
        if self.model.grayscale:
            run += (
                "# A grayscale model sees only the luma: show that, as grey.\n"
                "for recipe, images in pictures.items():\n"
                "    luma = (images * np.array([0.299, 0.587, 0.114], np.float32)).sum(-1)\n"
                "    grey = np.clip(np.rint(luma), 0, 255).astype(np.uint8)\n"
                "    pictures[recipe] = np.repeat(grey[..., None], 3, -1)\n"
            )
        show = (
            'if __name__ == "__main__":  # run as a script or in a notebook: draw them\n'
            "    import matplotlib.pyplot as plt\n\n"
            "    for recipe, images in pictures.items():\n"
            "        fig, axes = plt.subplots(1, len(FILTERS), squeeze=False,\n"
            "                                 figsize=(2 * len(FILTERS), 2.4))\n"
            "        for ax, image, f in zip(axes[0], images, FILTERS):\n"
            "            ax.imshow(image)\n"
            "            ax.set_title(f'filter {f}')\n"
            "            ax.axis('off')\n"
            "        fig.suptitle(f'{LAYER}: {recipe}')\n"
            "    plt.show()\n"
        )
        steps_ = (
            Step(
                "The model",
                f"{model.title}, loaded with Keras as the page loads it.",
                "import numpy as np\nimport tensorflow as tf\n" + model.load_code(),
            ),
            Step(
                "What is maximised",
                "Each picture is the input that makes ONE filter's average activation as "
                "large as possible (its value before the ReLU).",
                means,
            ),
            Step(
                "Gradient ascent",
                "Start from noise and change the image, step by step, so that the filter "
                "fires as strongly as it can. The naive recipe finds high-frequency noise "
                "that also works; the quality recipe (Olah et al., Distill 2017) draws the "
                "image in a Fourier basis and jitters it on every step. The same seed gives "
                "the same pictures.",
                recipes,
            ),
            Step("Run it", "", run),
            Step("Look at them", "", show),
        )
        return Program(
            title=f"Filter pictures of {self.layer} in {model.title}",
            intro=f"Gradient ascent for filters {list(filters)} of layer {self.layer}: "
            f"{steps} steps, {self.size}×{self.size} pixels, seed {self.seed}; what the "
            "Filter visualization page computes.",
            steps=steps_,
            requirements=model.requirements("matplotlib"),
        )


def _is_input(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """The course's filter pictures (``vs_filter_visualization``): VGG16's block convolutions.

    VGG16 is one chain of layers; its catalogue entry gives what the code needs, without
    building it. The course shows the first filters of a block's convolution.
    """
    from cnnviz import pretrained

    model = ModelCode.of_catalogue(pretrained.info("vgg16"))
    chain = ["block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2"]
    chain += ["block2_pool", "block3_conv1"]
    source = FeatureVizCode(
        model=model,
        chain=tuple(chain),
        layer="block3_conv1",
        pre_relu=True,
        channels=256,
        filters=tuple(range(8)),
        steps=128,
        size=128,
        seed=0,
        methods=("fourier",),
    )
    program = source.program(epochs=epochs, max_images=max_images)
    intro = f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n{program.intro}"
    return Program(program.title, intro, program.steps, program.requirements)
