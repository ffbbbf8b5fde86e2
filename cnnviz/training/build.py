"""Building what ``fit`` trains: the classifier, its optimizer and the training wrapper."""

from __future__ import annotations

import keras
import numpy as np

from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing, unit
from cnnviz.training.augmentation import Augmentation
from cnnviz.training.config import OPTIMIZERS, SCHEDULES, TrainingConfig


def make_optimizer(
    name: str, learning_rate: float, schedule: str = "constant", total_steps: int = 0
):
    """A Keras optimizer: Adam, RMSprop, or SGD with momentum 0.9.

    Args:
        name: one of ``OPTIMIZERS``.
        learning_rate: initial step size.
        schedule: ``"constant"``, or ``"cosine"`` (decays to 5% over ``total_steps``).
        total_steps: training steps of the whole job (for the cosine schedule).
    """
    if schedule not in SCHEDULES:
        raise InputError(f"Schedule must be one of {', '.join(SCHEDULES)}; got {schedule!r}.")
    lr = float(learning_rate)
    if schedule == "cosine" and total_steps > 0:
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=int(total_steps), alpha=0.05)
    if name == "adam":
        return keras.optimizers.Adam(lr)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr)
    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=0.9)
    raise InputError(f"Optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}.")


def build_model(config: TrainingConfig, input_shape: tuple, num_classes: int):
    """Build the (uncompiled) model a config describes, whatever its run kind.

    Args:
        config: the training config (its run kind builds the model).
        input_shape: (H, W, C) of the dataset.
        num_classes: number of classes (2 classes give one sigmoid unit).

    Returns:
        A Keras model taking (N, h, w, c) float32 made by :func:`model_preprocessing`.
    """
    return config.run_kind.build(config, tuple(input_shape), int(num_classes))


def build_classifier(config: TrainingConfig, input_shape: tuple, num_classes: int):
    """Build the (uncompiled) classifier of ``config.architecture``.

    Args:
        config: architecture name or layer spec, dropout, L2 weight decay, first layer
            and seed.
        input_shape: (H, W, C) of the dataset.
        num_classes: number of classes (2 classes give one sigmoid unit).

    Returns:
        A Keras model taking (N, H, W, C) float32 in [0, 1].
    """
    from cnnviz import architectures

    if isinstance(config.architecture, str):
        hyper = {"seed": int(config.seed)}
        if config.dropout is not None:
            hyper["dropout"] = float(config.dropout)
        if float(config.l2) > 0:
            hyper["l2"] = float(config.l2)
        model = architectures.build(
            config.architecture, tuple(input_shape), int(num_classes), **hyper
        )
    else:
        spec = list(config.architecture)
        dropout = None if config.dropout is None else float(config.dropout)
        spec = architectures.apply_hyperparameters(
            spec, dropout=dropout, l2=float(config.l2) or None
        )
        model = architectures.build_from_spec(
            spec, tuple(input_shape), int(num_classes), seed=int(config.seed)
        )
    first_layer = getattr(config, "first_layer", "random")
    if first_layer != "random":
        _gabor_start(model, frozen=first_layer == "gabor_frozen")
    return model


def gabor_bank(ksize: int, in_channels: int, filters: int) -> np.ndarray:
    """A bank of Gabor kernels shaped like a Conv2D kernel.

    Orientations cycle fastest (8 of them, 22.5° apart), then phase (even "bar" and odd
    "edge"), then wavelength (2, 3, 4... × the kernel side / 3). Each kernel has zero mean
    and the norm of a Glorot-uniform kernel of the same shape, and is the same on every
    input channel (a luminance detector).

    Args:
        ksize: kernel side in pixels.
        in_channels: input channels C.
        filters: number of kernels F.

    Returns:
        (ksize, ksize, C, F) float32.
    """
    from cnnviz.filters import gabor_kernel

    fan = ksize * ksize * in_channels
    target = float(np.sqrt(fan * 2.0 / (fan + ksize * ksize * filters)))  # Glorot std × √fan
    out = np.zeros((ksize, ksize, in_channels, filters), np.float32)
    for i in range(filters):
        theta = np.pi * (i % 8) / 8
        psi = 0.0 if (i // 8) % 2 == 0 else np.pi / 2
        scale = 1 + i // 16
        lambd = max(2.0, ksize * (1 + scale) / 3)
        k = gabor_kernel(ksize, max(0.5, 0.45 * lambd), theta, lambd, 0.75, psi)
        k = k - k.mean()
        norm = float(np.linalg.norm(k))
        k = k / norm * target if norm > 1e-6 else k
        out[:, :, :, i] = (k / np.sqrt(in_channels))[:, :, None]
    return out


def _gabor_start(model, frozen: bool) -> None:
    """Set the first convolution's kernel to :func:`gabor_bank` (and freeze it)."""
    conv = next((layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)), None)
    if conv is None:
        raise InputError(
            "A Gabor start needs a convolution layer; this network has none (an MLP?)."
        )
    kernel, *rest = conv.get_weights()
    bank = gabor_bank(kernel.shape[0], kernel.shape[2], kernel.shape[3])
    conv.set_weights([bank, *[np.zeros_like(w) for w in rest]])
    conv.trainable = not frozen


def model_preprocessing(config: TrainingConfig, channels: int) -> Preprocessing:
    """How the model a config trains wants its pixels (its run kind says).

    Args:
        config: the training config (a transfer config brings its base's preprocessing).
        channels: 1 or 3, the dataset's channels.
    """
    return config.run_kind.preprocessing(config, int(channels))


def training_wrapper(
    model,
    input_shape: tuple,
    augmentation: Augmentation,
    seed: int,
    preprocessing: Preprocessing | None = None,
):
    """A model for ``fit`` only: uint8 pixels → augmentation → preprocessing → ``model``.

    Grayscale images are repeated to three channels and every batch is resized to the
    model's input size when they differ (so a 224 × 224 copy of the dataset never exists).
    The wrapped ``model`` shares its weights, so training the wrapper trains it, while the
    model that is saved contains neither preprocessing nor augmentation.

    Args:
        model: classifier taking (N, h, w, c) float32 made by ``preprocessing``.
        input_shape: (H, W, C) of the dataset images.
        augmentation: random layers, active only while training (on 0..255 pixels).
        seed: augmentation seed.
        preprocessing: default ``preprocessing.unit`` with the dataset's channels.

    Returns:
        A Keras model taking (N, H, W, C) uint8 in 0..255.
    """
    h, w, c = (int(v) for v in input_shape)
    if preprocessing is None:
        preprocessing = unit(grayscale=c == 1)
    inputs = keras.Input((h, w, c), dtype="uint8", name="pixels")
    x = keras.layers.Rescaling(1.0, name="to_float")(inputs)  # cast only, values 0..255
    for layer in augmentation.layers(seed=seed):
        x = layer(x)
    if c == 1 and preprocessing.channels == 3:
        x = keras.layers.Concatenate(name="gray_to_rgb")([x, x, x])
    mh, mw = (int(v) for v in model.inputs[0].shape[1:3])
    if (mh, mw) != (h, w):
        # Area-like when shrinking, bilinear when enlarging: as ImageModel.resize does it.
        x = keras.layers.Resizing(mh, mw, antialias=mh < h or mw < w, name="to_model_size")(x)
    x = preprocessing.apply(x, ops=keras.ops)
    return keras.Model(inputs, model(x), name="training_wrapper")


def output_units(model) -> int:
    """Units of a classifier's output layer (1 for a single sigmoid unit)."""
    return int(model.outputs[0].shape[-1])


def stored_model_copy(store, model_id: str, owner: str | None = None):
    """A trainable copy of a stored classifier (the store's cached model stays untouched).

    Args:
        store: a ``cnnviz.store.ModelStore``.
        model_id: the stored model.
        owner: the session asking (it must see the model).

    Returns:
        A new uncompiled Keras model with the stored weights.

    Raises:
        InputError: the model is not visible to ``owner``, or expects other inputs than
            pixels scaled to 0..1 (the training wrapper's scaling).
    """
    stored = store.load(model_id, owner)
    if stored.preprocessing.to_dict() != _unit_for(stored.model).to_dict():
        raise InputError(
            f"“{stored.name}” expects inputs scaled differently from 0..1 pixels; it can be "
            "looked at here but not trained further."
        )
    copy = keras.models.clone_model(stored.model)
    copy.set_weights(stored.model.get_weights())
    return copy


def _unit_for(model):
    return unit(grayscale=int(model.inputs[0].shape[-1]) == 1)
