"""The catalogue of ImageNet classifiers: one registry entry per model.

Sizes (MB) and top-1 accuracies: the keras.io applications table. Parameter counts: the built
models. File names, URLs and hashes: the ``keras.applications`` sources (Keras 3.15), so a
weight file fetched by Keras itself or by cnnviz is the same file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType

from cnnviz.models import preprocessing as pp
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.registry import Entry, Registry

BUNDLED = "efficientnet_lite0"
_KERAS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def public() -> ModuleType:
    """The package :mod:`cnnviz.pretrained` itself.

    The modules of the package call each other's public functions through it, at call time,
    so a function replaced on ``cnnviz.pretrained`` (tests point the Keras cache at a
    temporary folder, or pretend a weight file is there) is the one every module uses.
    """
    return sys.modules["cnnviz.pretrained"]


def tflite_mode() -> Preprocessing:
    """TF-Lite EfficientNet-Lite preprocessing: ``(x - 127) / 128`` per RGB channel."""
    return Preprocessing("tflite", (1 / 128,) * 3, (-127 / 128,) * 3)


@dataclass(frozen=True, kw_only=True)
class ModelInfo(Entry):
    """What the catalogue knows about a model before it is loaded.

    Attributes:
        key: name for :func:`cnnviz.pretrained.load` (``"mobilenet_v2"``); also ``name``.
        title: shown to students (``"MobileNetV2"``).
        help: one sentence on what it is, shown next to the title.
        input_size: (height, width) the model expects.
        params: number of weights (Keras ``count_params()``, BatchNorm statistics included).
        top1: published ImageNet top-1 accuracy, in percent (single centre crop).
        bundled: True when the weights ship with cnnviz (works offline).
        preprocessing: pixels 0..255 → model input.
        last_conv_layer: the default Grad-CAM layer (output of the last convolution stage).
        year: publication year, for context.
        builder: ``keras.applications`` function name (None for the bundled model).
        keras_module: ``keras.applications`` sub-module holding its ``preprocess_input``.
        weight_file: file name in the Keras cache (None for the bundled model).
        weight_url: where :func:`cnnviz.pretrained.download_weights` fetches it.
        weight_hash: md5 (32 hex digits) or sha256 (64) of the file, when Keras knows it.
        download_mb: approximate download size in MB.
    """

    input_size: tuple[int, int]
    params: int
    top1: float
    bundled: bool
    preprocessing: Preprocessing
    last_conv_layer: str
    year: int
    builder: str | None = None
    keras_module: str | None = None
    weight_file: str | None = None
    weight_url: str | None = None
    weight_hash: str | None = None
    download_mb: float = 0.0

    @property
    def name(self) -> str:
        """The key, e.g. ``"mobilenet_v2"``."""
        return self.key

    @property
    def notop_file(self) -> str | None:
        """The smaller weight file of the base alone (``include_top=False``), Keras's name.

        The TensorFlow course ships InceptionV3's; a transfer base can read it instead of the
        whole model's file (None for the bundled model).
        """
        if self.weight_file is None:
            return None
        if self.weight_file.endswith("_1.0_224.h5"):  # MobileNetV2 says "no_top"
            return self.weight_file.removesuffix(".h5") + "_no_top.h5"
        return self.weight_file.removesuffix(".h5") + "_notop.h5"

    @property
    def notop_url(self) -> str | None:
        """Where Keras downloads :attr:`notop_file` from."""
        if self.weight_url is None or self.notop_file is None:
            return None
        return self.weight_url.rsplit("/", 1)[0] + "/" + self.notop_file

    @property
    def offline(self) -> bool:
        """True when the model can be loaded without network (bundled, or already cached)."""
        return self.bundled or public().is_cached(self.key)


REGISTRY: Registry[ModelInfo] = Registry("pretrained model")


def _keras_entry(
    name: str, title: str, size: int, params: int, top1: float, year: int, preprocessing,
    last_conv_layer: str, module: str, file: str, url: str, file_hash: str | None, mb: float,
) -> ModelInfo:  # fmt: skip
    """A ``keras.applications`` catalogue entry (the builder is named like the title)."""
    return ModelInfo(
        key=name,
        title=title,
        help=f"{title} ({year}), {params / 1e6:.1f} M weights, ImageNet top-1 {top1:g}%; "
        f"downloads {mb:g} MB of weights on first use.",
        input_size=(size, size),
        params=params,
        top1=top1,
        bundled=False,
        preprocessing=preprocessing,
        last_conv_layer=last_conv_layer,
        year=year,
        builder=title,
        keras_module=module,
        weight_file=file,
        weight_url=url,
        weight_hash=file_hash,
        download_mb=mb,
    )


_TF = "_weights_tf_dim_ordering_tf_kernels.h5"
# Sizes (MB) and top-1 accuracies: the keras.io applications table. Parameter counts: the
# built models. File names, URLs and hashes: the keras.applications sources (Keras 3.15), so
# the files land where Keras itself looks for them.
for _entry in (
    ModelInfo(
        key=BUNDLED,
        title="EfficientNet-Lite0",
        help="EfficientNet-Lite0 (2020), Google's mobile EfficientNet: its weights ship with "
        "cnnviz, so it works without any download.",
        input_size=(224, 224),
        params=4_694_024,
        top1=75.1,
        bundled=True,
        preprocessing=tflite_mode(),
        last_conv_layer="head_activation",
        year=2020,
    ),
    # MobileNet v1 (alpha 1.0): keras.io lists 16 MB; the file is 17.2 MB (16.4 MiB).
    _keras_entry(
        "mobilenet", "MobileNet", 224, 4_253_864, 70.4, 2017, pp.tf_mode(), "conv_pw_13_relu",
        "mobilenet", "mobilenet_1_0_224_tf.h5",
        f"{_KERAS_BASE}mobilenet/mobilenet_1_0_224_tf.h5", None, 17,
    ),
    _keras_entry(
        "mobilenet_v2", "MobileNetV2", 224, 3_538_984, 71.3, 2018, pp.tf_mode(), "out_relu",
        "mobilenet_v2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
        f"{_KERAS_BASE}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
        None, 14,
    ),
    _keras_entry(
        "resnet50", "ResNet50", 224, 25_636_712, 74.9, 2015, pp.caffe_mode(), "conv5_block3_out",
        "resnet50", f"resnet50{_TF}", f"{_KERAS_BASE}resnet/resnet50{_TF}",
        "2cb95161c43110f7111970584f804107", 98,
    ),
    _keras_entry(
        "vgg16", "VGG16", 224, 138_357_544, 71.3, 2014, pp.caffe_mode(), "block5_conv3",
        "vgg16", f"vgg16{_TF}", f"{_KERAS_BASE}vgg16/vgg16{_TF}",
        "64373286793e3c8b2b4e3219cbf3544b", 528,
    ),
    _keras_entry(
        "inception_v3", "InceptionV3", 299, 23_851_784, 77.9, 2015, pp.tf_mode(), "mixed10",
        "inception_v3", f"inception_v3{_TF}", f"{_KERAS_BASE}inception_v3/inception_v3{_TF}",
        "9a0d58056eeedaa3f26cb7ebd46da564", 92,
    ),
    _keras_entry(
        "densenet121", "DenseNet121", 224, 8_062_504, 75.0, 2016, pp.torch_mode(), "relu",
        "densenet", f"densenet121{_TF}", f"{_KERAS_BASE}densenet/densenet121{_TF}",
        "9d60b8095a5708f2dcce2bca79d332c7", 33,
    ),
    _keras_entry(
        "efficientnet_b0", "EfficientNetB0", 224, 5_330_571, 77.1, 2019, pp.raw(),
        "top_activation", "efficientnet", "efficientnetb0.h5",
        "https://storage.googleapis.com/keras-applications/efficientnetb0.h5",
        "902e53a9f72be733fc0bcb005b3ebbac", 29,
    ),
    _keras_entry(
        "xception", "Xception", 299, 22_910_480, 79.0, 2017, pp.tf_mode(),
        "block14_sepconv2_act", "xception", f"xception{_TF}",
        f"{_KERAS_BASE}xception/xception{_TF}", "0a58e3b7378bc2990ea3b43d5981f1f6", 88,
    ),
):  # fmt: skip
    REGISTRY.register(_entry)


def available() -> list[ModelInfo]:
    """Every model :func:`cnnviz.pretrained.load` knows, the bundled one first.

    Returns:
        Catalogue entries; ``bundled`` says whether a model works without network, and
        :func:`cnnviz.pretrained.is_cached` whether a downloadable one has been fetched.
    """
    return REGISTRY.available()


def info(name: str) -> ModelInfo:
    """The catalogue entry for ``name``; raises ``InputError`` for an unknown name."""
    return REGISTRY.get(name)
