"""Building what ``fit`` trains: the classifier, its optimizer and the training wrapper."""

from __future__ import annotations

import keras
import numpy as np

from cnnviz.errors import InputError
from cnnviz.training.config import OPTIMIZERS, SCHEDULES, Augmentation, TrainingConfig


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
    """Build the (uncompiled) classifier a config describes.

    Args:
        config: architecture name or layer spec, dropout and seed.
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
        model = architectures.build(
            config.architecture, tuple(input_shape), int(num_classes), **hyper
        )
    else:
        spec = list(config.architecture)
        if config.dropout is not None:
            spec = architectures.apply_hyperparameters(spec, dropout=float(config.dropout))
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


def training_wrapper(model, input_shape: tuple, augmentation: Augmentation, seed: int):
    """A model for ``fit`` only: uint8 pixels → augmentation → scale to 0..1 → ``model``.

    The wrapped ``model`` shares its weights, so training the wrapper trains it, while the
    model that is saved contains neither scaling nor augmentation.

    Args:
        model: classifier taking (N, H, W, C) float32 in [0, 1].
        input_shape: (H, W, C).
        augmentation: random layers, active only while training.
        seed: augmentation seed.

    Returns:
        A Keras model taking (N, H, W, C) uint8 in 0..255.
    """
    inputs = keras.Input(tuple(input_shape), dtype="uint8", name="pixels")
    x = keras.layers.Rescaling(1.0, name="to_float")(inputs)  # cast only, values 0..255
    for layer in augmentation.layers(seed=seed):
        x = layer(x)
    x = keras.layers.Rescaling(1.0 / 255.0, name="to_unit")(x)
    return keras.Model(inputs, model(x), name="training_wrapper")


def _output_units(model) -> int:
    return int(model.outputs[0].shape[-1])
