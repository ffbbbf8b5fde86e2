"""Transfer learning: a pretrained convolutional base, a new head, and the three ways to train it.

The courses end the same way: keep the convolutional base of an ImageNet network (the
``include_top=False`` part), put a new head on it (global pooling or Flatten, Dense with
ReLU, Dropout, the output layer) and train on a few hundred of one's own images. Three ways:

- ``"features"``: fast feature extraction. The frozen base runs once over every split
  (batched, with progress events); its outputs are cached on disk under a key made of the
  images' digest, the base, its cut layer, the input size and the pooling, so a second head
  on the same data costs seconds. The head is then trained on the cached features.
- ``"frozen"``: the base is frozen inside the model and the images go through it at every
  step, so augmentation can be active.
- ``"finetune"``: the top ``fine_tune_layers`` layers of the base are unfrozen and trained
  with a small learning rate (1e-5 to 1e-4), optionally after training the head first on
  cached features (``head_epochs``).

BatchNorm layers of the base always stay frozen, which in Keras 3 also keeps them in
inference mode (they normalise with their stored statistics, as ``base(x, training=False)``
does): without this, unfreezing destroys what the base learned. Frozen means bit-identical:
kernels and BatchNorm statistics do not change.

The model is one flat functional network: the base's layers (a copy of the pretrained
model's, with their pretrained names, so the inspection pages can reach them), then the head
layers, named ``transfer_*``. Its input is the base's input size and preprocessing; the
training wrapper (:func:`cnnviz.training.training_wrapper`) repeats grayscale images to
three channels and resizes each batch, so no full-size copy of the dataset is ever made.

Example (no server needed)::

    from cnnviz import datasets, training, transfer
    cfg = training.TrainingConfig(transfer=transfer.TransferConfig(mode="features"), epochs=5)
    job = training.TrainingJob(datasets.load("faces"), cfg)
    job.start()
    job.wait()
    print(job.result.test_accuracy)
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.evaluation import Evaluation, to_model_input
from cnnviz.preprocessing import Preprocessing

if TYPE_CHECKING:
    import keras

MODES = ("features", "frozen", "finetune")
POOLINGS = ("avg", "flatten")
HEAD_PREFIX = "transfer_"
MODE_TITLES = {
    "features": "Feature extraction (fast)",
    "frozen": "Frozen base with augmentation",
    "finetune": "Fine-tuning",
}
MODE_SENTENCES = {
    "features": (
        "Run the pretrained base once over your images and train only a small head on what "
        "it sees: the fastest way, and the place to start with few images."
    ),
    "frozen": (
        "Keep the base frozen but send every image through it at every step, so random "
        "flips and shifts (augmentation) can show the head more variety: slower, less "
        "overfitting."
    ),
    "finetune": (
        "Also retrain the top layers of the base with a small learning rate, so its most "
        "specific features adapt to your classes: the last few percent, once a head works."
    ),
}
# Where the classifier is cut off: the output of the last convolution stage, which is what
# keras.applications returns with include_top=False (VGG16: after its last pooling).
CUT_LAYERS = {
    pretrained.BUNDLED: "head_activation",
    "vgg16": "block5_pool",
    "inception_v3": "mixed10",
    "mobilenet_v2": "out_relu",
    "resnet50": "conv5_block3_out",
    "densenet121": "relu",
    "efficientnet_b0": "top_activation",
    "xception": "block14_sepconv2_act",
}
# The bases the courses use, the bundled one first.
COURSE_BASES = (pretrained.BUNDLED, "vgg16", "inception_v3", "mobilenet_v2")
_CACHE_VERSION = 1
# The feature cache keeps its newest files up to this many bytes (``CNNVIZ_FEATURE_CACHE_MB``).
FEATURE_CACHE_BYTES = int(float(os.environ.get("CNNVIZ_FEATURE_CACHE_MB", 2048)) * 2**20)


@dataclass(frozen=True)
class TransferConfig:
    """A pretrained base, a new head, and how to train them.

    Attributes:
        base: a base name from :func:`bases` (default the bundled EfficientNet-Lite0).
        mode: ``"features"``, ``"frozen"`` or ``"finetune"`` (see the module docstring).
        fine_tune_layers: in ``"finetune"``, how many of the base's top layers train
            (BatchNorm layers among them stay frozen); ignored in the other modes.
        head_units: units of the head's hidden Dense layer (ReLU); 0 = no hidden layer.
        head_dropout: dropout rate before the output layer, in [0, 1).
        pooling: ``"avg"`` (global average pooling) or ``"flatten"`` (as the courses do
            with VGG16; many more head weights).
        head_epochs: in ``"finetune"``, epochs of head training on cached features before
            fine-tuning starts (0 = start from a fresh head).
    """

    base: str = pretrained.BUNDLED
    mode: str = "features"
    fine_tune_layers: int = 0
    head_units: int = 256
    head_dropout: float = 0.5
    pooling: str = "avg"
    head_epochs: int = 0

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting."""
        if self.mode not in MODES:
            raise InputError(f"Transfer mode must be one of {', '.join(MODES)}; got {self.mode!r}.")
        if self.pooling not in POOLINGS:
            raise InputError(f"Pooling must be one of {', '.join(POOLINGS)}; got {self.pooling!r}.")
        base_spec(self.base)
        if int(self.fine_tune_layers) < 0:
            raise InputError(f"Layers to fine-tune must be ≥ 0; got {self.fine_tune_layers}.")
        if self.mode == "finetune" and int(self.fine_tune_layers) < 1:
            raise InputError("Fine-tuning needs at least one unfrozen layer of the base.")
        if int(self.head_units) < 0:
            raise InputError(f"Head units must be ≥ 0; got {self.head_units}.")
        if not 0 <= float(self.head_dropout) < 1:
            raise InputError(f"Head dropout must be in [0, 1); got {self.head_dropout}.")
        if int(self.head_epochs) < 0:
            raise InputError(f"Head epochs must be ≥ 0; got {self.head_epochs}.")

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


# --- bases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseSpec:
    """A pretrained model a transfer head can sit on.

    Attributes:
        name: key (``"efficientnet_lite0"``).
        title: shown to students.
        input_size: (height, width) the base takes.
        preprocessing: pixels 0..255 → base input.
        cut_layer: the layer whose output the head receives (4-D, spatial).
        load: returns the full pretrained Keras model; shared, never changed here.
        offline: True when it loads without network now.
    """

    name: str
    title: str
    input_size: tuple[int, int]
    preprocessing: Preprocessing
    cut_layer: str
    load: Callable[[], Any]
    offline: bool = True


_EXTRA_BASES: dict[str, BaseSpec] = {}


def register_base(spec: BaseSpec) -> None:
    """Make another base available by name (scripts, tests with a tiny base built in code)."""
    _EXTRA_BASES[spec.name] = spec


def base_spec(name: str) -> BaseSpec:
    """The base called ``name``; raises ``InputError`` for an unknown one."""
    if name in _EXTRA_BASES:
        return _EXTRA_BASES[name]
    if name not in CUT_LAYERS:
        known = ", ".join([*CUT_LAYERS, *_EXTRA_BASES])
        raise InputError(f"Unknown base model {name!r}; choose one of: {known}.")
    entry = pretrained.info(name)
    return BaseSpec(
        name=name,
        title=entry.title,
        input_size=tuple(entry.input_size),
        preprocessing=entry.preprocessing,
        cut_layer=CUT_LAYERS[name],
        load=lambda: pretrained.load(name).model,
        offline=entry.offline,
    )


def bases() -> list[BaseSpec]:
    """The bases the courses use (bundled first), then any registered ones."""
    return [base_spec(n) for n in COURSE_BASES] + list(_EXTRA_BASES.values())


def base_preprocessing(name: str) -> Preprocessing:
    """The preprocessing of a base (what the whole transfer model takes)."""
    return base_spec(name).preprocessing


# --- the model --------------------------------------------------------------------------------


def build_model(config: TransferConfig, num_classes: int, seed: int = 0) -> keras.Model:
    """The whole network: a copy of the base cut below its classifier, then a new head.

    The shared pretrained model is never changed: its layers are cloned (same names, same
    weights). Trainable flags are set for ``config.mode`` (:func:`set_trainable`).

    Args:
        config: base, head and mode.
        num_classes: classes of the dataset (2 classes give one sigmoid unit).
        seed: seed of the head's initial weights.

    Returns:
        A functional model, (N, h, w, 3) float32 preprocessed as the base wants →
        (N, K) probabilities (softmax; K = 1 sigmoid unit for 2 classes).
    """
    import keras

    config.validate()
    if int(num_classes) < 2:
        raise InputError(f"A classifier needs at least two classes; got {num_classes}.")
    spec = base_spec(config.base)
    full = spec.load()
    try:
        cut_output = full.get_layer(spec.cut_layer).output
    except ValueError:
        raise InputError(f"{spec.title} has no layer {spec.cut_layer!r} to cut at.") from None
    cut = keras.Model(full.inputs, cut_output, name=f"{spec.name}_base")
    base = keras.models.clone_model(cut)
    base.set_weights(cut.get_weights())
    layers = keras.layers
    init = {"kernel_initializer": keras.initializers.GlorotUniform(seed=int(seed))}
    pool = (
        layers.GlobalAveragePooling2D(name=f"{HEAD_PREFIX}pool")
        if config.pooling == "avg"
        else layers.Flatten(name=f"{HEAD_PREFIX}flatten")
    )
    x = pool(base.outputs[0])
    if int(config.head_units) > 0:
        x = layers.Dense(
            int(config.head_units), activation="relu", name=f"{HEAD_PREFIX}dense", **init
        )(x)
    if float(config.head_dropout) > 0:
        x = layers.Dropout(
            float(config.head_dropout), seed=int(seed), name=f"{HEAD_PREFIX}dropout"
        )(x)
    units, activation = (1, "sigmoid") if int(num_classes) == 2 else (int(num_classes), "softmax")
    out = layers.Dense(units, activation=activation, name=f"{HEAD_PREFIX}output", **init)(x)
    model = keras.Model(base.inputs, out, name=f"{spec.name}_transfer")
    set_trainable(model, config)
    return model


def is_head_layer(layer) -> bool:
    """True for the layers of the new head (named ``transfer_*``)."""
    return layer.name.startswith(HEAD_PREFIX)


def base_layers(model) -> list:
    """The base's layers of a transfer model, input first (input layer excluded)."""
    import keras

    return [
        layer
        for layer in model.layers
        if not is_head_layer(layer) and not isinstance(layer, keras.layers.InputLayer)
    ]


def set_trainable(model, config: TransferConfig) -> None:
    """Freeze the base for ``config.mode``: all of it, or all but the top layers.

    In ``"finetune"`` the top ``fine_tune_layers`` layers train, except BatchNorm layers,
    which stay frozen and so in inference mode (the Keras transfer-learning guide's rule).
    The head always trains.
    """
    import keras

    layers = base_layers(model)
    top = int(config.fine_tune_layers) if config.mode == "finetune" else 0
    unfrozen = set(id(layer) for layer in layers[len(layers) - top :]) if top else set()
    for layer in layers:
        trainable = id(layer) in unfrozen
        if isinstance(layer, keras.layers.BatchNormalization):
            trainable = False
        layer.trainable = trainable
    for layer in model.layers:
        if is_head_layer(layer):
            layer.trainable = True


def layer_table(model) -> list[dict]:
    """The base's layers with their state, for the page's layer list.

    Returns:
        One dict per base layer, input side first: ``layer, type, params, trainable``
        (``trainable`` False for frozen layers; layers without weights show their flag too).
    """
    rows = []
    for layer in base_layers(model):
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "params": int(sum(int(np.prod(w.shape)) for w in layer.weights)),
                "trainable": bool(layer.trainable),
            }
        )
    return rows


def parameter_counts(model) -> tuple[int, int]:
    """(trainable, non-trainable) weights, as ``model.summary()`` prints them."""
    trainable = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    total = int(sum(int(np.prod(w.shape)) for w in model.weights))
    return trainable, total - trainable


def summary_text(model) -> str:
    """The three parameter lines the courses print after ``model.summary()``."""
    trainable, frozen = parameter_counts(model)
    return (
        f"Total params: {trainable + frozen:,}\n"
        f"Trainable params: {trainable:,}\n"
        f"Non-trainable params: {frozen:,}"
    )


def _input_size(model) -> tuple[int, int]:
    h, w = model.inputs[0].shape[1:3]
    return int(h), int(w)


def _pool_layer(model):
    for name in (f"{HEAD_PREFIX}pool", f"{HEAD_PREFIX}flatten"):
        try:
            return model.get_layer(name)
        except ValueError:
            continue
    raise InputError("This is not a transfer model (no transfer_pool or transfer_flatten layer).")


def feature_extractor(model) -> keras.Model:
    """The frozen part of a transfer model: input → base → pooling (shares its layers)."""
    import keras

    return keras.Model(model.inputs, _pool_layer(model).output, name="feature_extractor")


def head_model(model) -> keras.Model:
    """A copy of the head alone (pooled features → output), with the model's head weights."""
    import keras

    pool = _pool_layer(model)
    inputs = keras.Input(tuple(int(v) for v in pool.output.shape[1:]), name="features")
    x = inputs
    for layer in model.layers[model.layers.index(pool) + 1 :]:
        clone = layer.__class__.from_config(layer.get_config())
        x = clone(x)
        clone.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name="transfer_head")


def copy_head_weights(head: keras.Model, model: keras.Model) -> None:
    """Put the weights of a trained :func:`head_model` back into the whole model."""
    for layer in head.layers:
        if is_head_layer(layer):
            model.get_layer(layer.name).set_weights(layer.get_weights())


# --- features on disk -------------------------------------------------------------------------


def features_dir() -> Path:
    """Where cached features live (``$CNNVIZ_HOME/features``)."""
    from cnnviz import config

    return config.home() / "features"


def images_digest(images: np.ndarray) -> str:
    """SHA-256 (first 20 hex digits) of an image array's shape, dtype and bytes."""
    images = np.ascontiguousarray(images)
    h = hashlib.sha256(f"{images.shape}|{images.dtype}".encode())
    h.update(memoryview(images).cast("B"))
    return h.hexdigest()[:20]


def features_key(images: np.ndarray, model) -> str:
    """Cache key: images digest + base (name, cut layer) + input size + pooling."""
    h, w = _input_size(model)
    parts = [
        f"v{_CACHE_VERSION}",
        images_digest(images),
        model.name.removesuffix("_transfer"),
        _cut_name(model),
        f"{h}x{w}",
        _pool_layer(model).name,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _cut_name(model) -> str:
    layers = base_layers(model)
    return layers[-1].name if layers else ""


@dataclass(frozen=True)
class ExtractProgress:
    """How far feature extraction is: ``done`` of ``total`` images, and the speed."""

    done: int
    total: int
    images_per_sec: float
    cached: bool


def extract_features(
    model,
    images: np.ndarray,
    *,
    batch_size: int = 32,
    progress: Callable[[ExtractProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    cache: bool = True,
) -> tuple[np.ndarray, bool]:
    """The pooled base outputs of a transfer model for every image, cached on disk.

    Args:
        model: a transfer model from :func:`build_model` (its base frozen).
        images: (N, H, W, C) uint8, C = 1 or 3 (grayscale is repeated to RGB).
        batch_size: images per forward pass (each is resized to the base's input size
            just before, so memory stays at one batch).
        progress: called after each batch (and once at the end).
        should_stop: checked between batches; True raises ``InterruptedError``.
        cache: False neither reads nor writes the cache.

    Returns:
        ((N, D) float32 features, True when they came from the cache).
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise InputError(f"Expected a batch of images (N, H, W, C), got shape {images.shape}.")
    path = features_dir() / f"{features_key(images, model)}.npy" if cache else None
    if path is not None and path.is_file():
        try:
            feats = np.load(path, allow_pickle=False)
            if len(feats) == len(images):
                if progress:
                    progress(ExtractProgress(len(images), len(images), 0.0, True))
                return feats.astype(np.float32, copy=False), True
        except (OSError, ValueError):
            pass  # damaged: compute again
    extractor = feature_extractor(model)
    pre = Preprocessing.from_dict(_preprocessing_of(model).to_dict())
    size = _input_size(model)
    out = []
    start = time.perf_counter()
    bs = max(1, int(batch_size))
    for i in range(0, len(images), bs):
        if should_stop is not None and should_stop():
            raise InterruptedError("stopped during feature extraction")
        x = to_model_input(images[i : i + bs], pre, size)
        out.append(np.asarray(extractor.predict_on_batch(x), dtype=np.float32))
        if progress:
            done = min(len(images), i + bs)
            progress(
                ExtractProgress(done, len(images), done / (time.perf_counter() - start), False)
            )
    dim = tuple(int(v) for v in extractor.outputs[0].shape[1:])
    feats = np.concatenate(out) if out else np.zeros((0, *dim), np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
        np.save(tmp, feats)
        os.replace(tmp, path)
        prune_features(keep=path)
    return feats, False


def prune_features(limit_bytes: int | None = None, keep: Path | None = None) -> int:
    """Delete the oldest cached feature files beyond ``limit_bytes``; returns files deleted."""
    limit = FEATURE_CACHE_BYTES if limit_bytes is None else int(limit_bytes)
    try:
        entries = sorted(
            ((f.stat().st_mtime, f.stat().st_size, f) for f in features_dir().glob("*.npy")),
            reverse=True,
        )
    except OSError:
        return 0
    total, deleted = 0, 0
    for _, size, f in entries:
        total += size
        if total > limit and f != keep:
            f.unlink(missing_ok=True)
            deleted += 1
    return deleted


_PREPROCESSING_ATTR = "_cnnviz_preprocessing"


def _preprocessing_of(model) -> Preprocessing:
    pre = getattr(model, _PREPROCESSING_ATTR, None)
    if pre is None:
        base = model.name.removesuffix("_transfer")
        pre = base_preprocessing(base)
    return pre


# --- the job's transfer part ------------------------------------------------------------------


class TransferRun:
    """What a :class:`~cnnviz.training.TrainingJob` does differently for transfer learning.

    The job calls :meth:`fit_model` (the Keras model to compile and fit), :meth:`fit_inputs`
    (features instead of images in ``"features"`` mode, after extracting them with
    progress events), :meth:`evaluate` and :meth:`metadata`.
    """

    def __init__(self, config: TransferConfig, model) -> None:
        self.config = config
        self.model = model
        self.spec = base_spec(config.base)
        self.preprocessing = self.spec.preprocessing
        setattr(model, _PREPROCESSING_ATTR, self.preprocessing)
        set_trainable(model, config)
        self.head = head_model(model) if config.mode == "features" else None
        self.extract_seconds = 0.0
        self.cached: list[bool] = []

    @property
    def input_size(self) -> tuple[int, int]:
        """(h, w) the whole model takes."""
        return _input_size(self.model)

    def fit_model(self, input_shape: tuple, augmentation, seed: int, preprocessing):
        """The model ``fit`` trains: the head alone (features) or the training wrapper."""
        if self.head is not None:
            return self.head
        from cnnviz.training.build import training_wrapper

        return training_wrapper(self.model, input_shape, augmentation, seed, preprocessing)

    def _features(self, job, images, split: str, stoppable: bool = True) -> np.ndarray:
        from cnnviz.training.events import Extracting

        started = time.perf_counter()

        def progress(p: ExtractProgress) -> None:
            job._emit(Extracting(split, p.done, p.total, p.images_per_sec, p.cached))

        feats, cached = extract_features(
            self.model,
            images,
            batch_size=int(job.config.batch_size),
            progress=progress,
            should_stop=job._stop_requested.is_set if stoppable else None,
        )
        self.extract_seconds += time.perf_counter() - started
        self.cached.append(cached)
        return feats

    def fit_inputs(self, job, x_train, y_train, x_val):
        """What ``fit`` gets as inputs: the images, or (``"features"``) their features.

        In ``"finetune"`` with ``head_epochs`` > 0 the head is first trained on cached
        features (quietly, a few seconds), then the images are returned for fine-tuning.
        """
        try:
            if self.config.mode == "features":
                f_train = self._features(job, x_train, "train")
                f_val = None if x_val is None else self._features(job, x_val, "validation")
                return f_train, f_val
            if self.config.mode == "finetune" and int(self.config.head_epochs) > 0:
                self._pretrain_head(job, x_train, y_train)
        except InterruptedError:  # stopped: the job sees the request and skips fit
            pass
        return x_train, x_val

    def _pretrain_head(self, job, x_train, y_train) -> None:
        import keras

        from cnnviz.training.build import _output_units

        feats = self._features(job, x_train, "train")
        head = head_model(self.model)
        units = _output_units(head)
        head.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy",
        )
        head.fit(
            feats,
            y_train,
            batch_size=int(job.config.batch_size),
            epochs=int(self.config.head_epochs),
            verbose=0,
        )
        copy_head_weights(head, self.model)

    def evaluate(self, job) -> Evaluation:
        """Test-set evaluation of the whole model (via cached features in ``"features"``)."""
        from cnnviz.evaluation import evaluate

        ds = job.dataset
        if self.head is not None:
            copy_head_weights(self.head, self.model)
            feats = self._features(job, np.asarray(ds.x_test), "test", stoppable=False)
            probs = np.asarray(self.head.predict(feats, verbose=0), dtype=np.float32)
            if probs.shape[-1] == 1:
                probs = np.concatenate([1 - probs, probs], axis=-1)
            if len(feats) == 0:
                probs = np.zeros((0, len(ds.class_names)), np.float32)
            return Evaluation(np.asarray(ds.y_test), probs, list(ds.class_names))
        return evaluate(
            self.model,
            ds.x_test,
            ds.y_test,
            ds.class_names,
            batch_size=int(job.config.batch_size),
            preprocessing=self.preprocessing,
            input_size=self.input_size,
        )

    def metadata(self) -> dict:
        """What the store keeps about the transfer: mode, base, parameter counts..."""
        trainable, frozen = parameter_counts(self.model)
        info = {
            **self.config.to_dict(),
            "base_title": self.spec.title,
            "cut_layer": self.spec.cut_layer,
            "trainable_params": trainable,
            "non_trainable_params": frozen,
            "extract_seconds": round(self.extract_seconds, 2),
            "features_cached": bool(self.cached) and all(self.cached),
        }
        return {
            "architecture": f"transfer:{self.config.base}",
            "transfer": info,
            "mode": self.config.mode,
            "base": self.config.base,
            "trainable_params": trainable,
            "non_trainable_params": frozen,
        }


def recommended_config(mode: str = "features", base: str = pretrained.BUNDLED, **transfer):
    """A ``TrainingConfig`` that works out of the box for a transfer mode.

    Feature extraction and the frozen base use Adam at 1e-3 (only the head learns);
    fine-tuning uses 1e-4 with the top 20 layers, from a head trained first for 5 epochs
    on cached features, as the Keras guide and the courses do.
    """
    from cnnviz.training.config import Augmentation, TrainingConfig

    if mode == "finetune":
        transfer = {"fine_tune_layers": 20, "head_epochs": 5, **transfer}
        tcfg = TransferConfig(base=base, mode=mode, **transfer)
        return TrainingConfig(
            transfer=tcfg, learning_rate=1e-4, epochs=5, batch_size=16,
            augmentation=Augmentation(flip="horizontal"), schedule="constant",
        )  # fmt: skip
    tcfg = TransferConfig(base=base, mode=mode, **transfer)
    if mode == "frozen":
        return TrainingConfig(
            transfer=tcfg, learning_rate=1e-3, epochs=10, batch_size=16,
            augmentation=Augmentation(flip="horizontal", rotation=0.05, zoom=0.1),
        )  # fmt: skip
    return TrainingConfig(transfer=tcfg, learning_rate=1e-3, epochs=20, batch_size=32)


# --- what the page shows before and after training ----------------------------------------------


@dataclass
class Plan:
    """What :func:`build_model` would build, without copying the base.

    Attributes:
        layers: one row per base layer, input side first: ``layer, type, params,
            trainable`` (as :func:`layer_table`).
        head: one row per head layer, like ``layers``.
        trainable: weights that training changes.
        non_trainable: frozen weights (base, BatchNorm statistics).
    """

    layers: list[dict]
    head: list[dict]
    trainable: int
    non_trainable: int

    @property
    def summary(self) -> str:
        """The parameter lines the courses print after ``model.summary()``."""
        return (
            f"Total params: {self.trainable + self.non_trainable:,}\n"
            f"Trainable params: {self.trainable:,}\n"
            f"Non-trainable params: {self.non_trainable:,}"
        )


def describe(config: TransferConfig, num_classes: int) -> Plan:
    """The layers, their frozen / trainable state and the parameter counts of a config.

    Reads the shared pretrained model only (nothing is cloned or changed), so a page can call
    it on every rerun.
    """
    import keras

    config.validate()
    spec = base_spec(config.base)
    full = spec.load()
    names = [layer.name for layer in full.layers]
    if spec.cut_layer not in names:
        raise InputError(f"{spec.title} has no layer {spec.cut_layer!r} to cut at.")
    cut = keras.Model(full.inputs, full.get_layer(spec.cut_layer).output)
    layers = [layer for layer in cut.layers if not isinstance(layer, keras.layers.InputLayer)]
    top = int(config.fine_tune_layers) if config.mode == "finetune" else 0
    rows, trainable, frozen = [], 0, 0
    for i, layer in enumerate(layers):
        count = int(sum(int(np.prod(w.shape)) for w in layer.weights))
        train = i >= len(layers) - top and not isinstance(layer, keras.layers.BatchNormalization)
        rows.append({"layer": layer.name, "type": type(layer).__name__, "params": count,
                     "trainable": bool(train)})  # fmt: skip
        trainable, frozen = trainable + count * train, frozen + count * (not train)
    h, w, c = (int(v) for v in cut.outputs[0].shape[1:])
    width = c if config.pooling == "avg" else h * w * c
    units = 1 if int(num_classes) == 2 else int(num_classes)
    pool = f"{HEAD_PREFIX}pool" if config.pooling == "avg" else f"{HEAD_PREFIX}flatten"
    head = [{"layer": pool, "type": "GlobalAveragePooling2D" if config.pooling == "avg"
             else "Flatten", "params": 0, "trainable": True}]  # fmt: skip
    if int(config.head_units) > 0:
        n = width * int(config.head_units) + int(config.head_units)
        head.append({"layer": f"{HEAD_PREFIX}dense", "type": "Dense", "params": n,
                     "trainable": True})  # fmt: skip
        width = int(config.head_units)
    if float(config.head_dropout) > 0:
        head.append({"layer": f"{HEAD_PREFIX}dropout", "type": "Dropout", "params": 0,
                     "trainable": True})  # fmt: skip
    head.append({"layer": f"{HEAD_PREFIX}output", "type": "Dense",
                 "params": width * units + units, "trainable": True})  # fmt: skip
    trainable += sum(r["params"] for r in head)
    return Plan(rows, head, int(trainable), int(frozen))


def _same_dataset(a: dict | None, b: dict | None) -> bool:
    import json

    def norm(d):
        return json.dumps(json.loads(json.dumps(d or {}, default=str)), sort_keys=True)

    return norm(a) == norm(b)


def compare_rows(models: list[dict], dataset: dict) -> list[dict]:
    """One row per stored model trained on ``dataset``, for "Compare the runs".

    Args:
        models: store metadata (``ModelStore.list``), newest first.
        dataset: ``{"name", "options"}`` as the training job stores it.

    Returns:
        Oldest first: ``run, mode, base, trainable params, seconds, test accuracy, errors,
        test images, id``. Models trained from scratch on the Train page have mode
        ``"scratch"`` and their architecture as base.
    """
    rows = []
    for meta in reversed(models):
        if not _same_dataset(meta.get("dataset"), dataset):
            continue
        metrics = meta.get("test_metrics") or {}
        if "accuracy" not in metrics:
            continue
        info = meta.get("transfer") or {}
        samples = int(metrics.get("samples", 0))
        accuracy = float(metrics["accuracy"])
        arch = meta.get("architecture")
        rows.append(
            {
                "run": str(meta.get("name", meta.get("id", ""))),
                "mode": str(meta.get("mode") or ("scratch" if not info else "")),
                "base": str(info.get("base_title") or meta.get("base")
                            or (arch if isinstance(arch, str) else "custom")),
                "trainable params": int(meta.get("trainable_params") or meta.get("params") or 0),
                "seconds": float(meta.get("seconds") or 0.0),
                "test accuracy": accuracy,
                "errors": round(samples * (1 - accuracy)),
                "test images": samples,
                "id": str(meta.get("id", "")),
            }
        )  # fmt: skip
    return rows
