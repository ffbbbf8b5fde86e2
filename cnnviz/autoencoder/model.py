"""The course's convolutional autoencoder, its inputs, outputs and bottleneck."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cnnviz.autoencoder.config import ARCHITECTURE
from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing, unit

if TYPE_CHECKING:
    import keras

BOTTLENECK = "bottleneck"
"""Name of the encoder's last layer (7 × 7 × 32 for 28 × 28 inputs)."""


def build_model(input_shape: tuple, filters: int = 32, seed: int = 0) -> keras.Model:
    """The course's convolutional autoencoder.

    Args:
        input_shape: (H, W, C) with H and W divisible by 4 (two 2 × 2 poolings), C 1 or 3.
        filters: channels of every convolution (32 in the course).
        seed: seed of the initial weights.

    Returns:
        An uncompiled functional model, (N, H, W, C) float32 in [0, 1] → (N, H, W, C)
        float32 in [0, 1]; layer :data:`BOTTLENECK` outputs (N, H/4, W/4, filters).
    """
    import keras

    h, w, c = (int(v) for v in input_shape)
    if h % 4 or w % 4 or h < 4 or w < 4:
        raise InputError(
            f"The autoencoder pools twice by 2, so the image side must be a multiple of 4; "
            f"got {h}×{w} (use 28×28 as the course does)."
        )
    if c not in (1, 3):
        raise InputError(f"Images need 1 or 3 channels; got {c}.")
    f = int(filters)
    init = lambda k: keras.initializers.GlorotUniform(seed=int(seed) * 10 + k)  # noqa: E731
    conv = {"kernel_size": 3, "padding": "same", "activation": "relu"}
    layers = keras.layers
    inputs = keras.Input((h, w, c), name="image")
    x = layers.Conv2D(f, name="encoder_conv1", kernel_initializer=init(1), **conv)(inputs)
    x = layers.MaxPooling2D(2, padding="same", name="encoder_pool1")(x)
    x = layers.Conv2D(f, name="encoder_conv2", kernel_initializer=init(2), **conv)(x)
    x = layers.MaxPooling2D(2, padding="same", name=BOTTLENECK)(x)
    x = layers.Conv2DTranspose(
        f, strides=2, name="decoder_deconv1", kernel_initializer=init(3), **conv
    )(x)
    x = layers.Conv2DTranspose(
        f, strides=2, name="decoder_deconv2", kernel_initializer=init(4), **conv
    )(x)
    out = layers.Conv2D(
        c, 3, padding="same", activation="sigmoid", name="reconstruction",
        kernel_initializer=init(5),
    )(x)  # fmt: skip
    return keras.Model(inputs, out, name=ARCHITECTURE)


def preprocessing_for(channels: int) -> Preprocessing:
    """What the autoencoder takes: pixels / 255 (one channel for grayscale data)."""
    return unit(grayscale=int(channels) == 1)


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W, C), C = 1 or 3 → float32 in [0, 1], same shape."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise InputError(f"Expected images (N, H, W, 1 or 3), got shape {images.shape}.")
    return preprocessing_for(images.shape[-1]).apply(images)


def predict(model, images01: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Reconstructions, (N, H, W, C) float32 in [0, 1], of 0..1 images of the same shape."""
    x = np.asarray(images01, dtype=np.float32)
    if len(x) == 0:
        return x.copy()
    return np.asarray(model.predict(x, batch_size=int(batch_size), verbose=0), np.float32)


def bottleneck(model, images01: np.ndarray) -> np.ndarray:
    """The bottleneck's activations, (N, H/4, W/4, filters) float32, of 0..1 images."""
    from cnnviz.activations import layer_activations

    return layer_activations(model, np.asarray(images01, np.float32), [BOTTLENECK])[BOTTLENECK]
