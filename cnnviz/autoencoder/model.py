"""The course's convolutional autoencoder (and a lighter one), its inputs, outputs, bottleneck."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cnnviz.autoencoder.config import ARCHITECTURE, NETWORKS
from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing, unit

if TYPE_CHECKING:
    import keras

BOTTLENECK = "bottleneck"
"""Name of the encoder's last layer (7 × 7 × 32 for 28 × 28 inputs)."""
LEAKY_SLOPE = 0.1
"""The course's leaky ReLU: ``max(0.1 · x, x)``."""


def build_model(
    input_shape: tuple, filters: int = 32, seed: int = 0, network: str = "course"
) -> keras.Model:
    """The course's convolutional autoencoder (or the lighter one).

    ``"course"``, LearnOpenCV's network (``f`` = filters, ``c`` = channels)::

        Conv2D(f, 3, same) + LeakyReLU(0.1) + MaxPooling2D(2)      H/2
        Conv2D(f, 3, same) + LeakyReLU(0.1) + MaxPooling2D(2)      H/4: the bottleneck
        Conv2D(f, 3, same) + LeakyReLU(0.1)                        H/4 (the extra one)
        Conv2DTranspose(f, 3, strides 2, same), linear             H/2
        Conv2DTranspose(f, 3, strides 2, same), linear             H
        Conv2D(c, 3, same, sigmoid)                                H

    Its parameters for 28 × 28 × 1, f = 32 (a 3 × 3 kernel: 9 weights per input channel and
    output channel, plus one bias per output channel): 9·1·32 + 32 = 320 for the first
    convolution, 9·32·32 + 32 = 9,248 for each of the next two convolutions and the two
    transposed ones (4 × 9,248 = 36,992), and 9·32·1 + 1 = 289 for the output:
    320 + 36,992 + 289 = **37,601**, as the course prints.

    ``"light"`` (not the course's): ReLU in every convolution and transposed convolution,
    no extra convolution at the bottleneck: 320 + 3 × 9,248 + 289 = 28,353.

    Args:
        input_shape: (H, W, C) with H and W divisible by 4 (two 2 × 2 poolings), C 1 or 3.
        filters: channels of every convolution (32 in the course).
        seed: seed of the initial weights.
        network: ``"course"`` or ``"light"`` (see :data:`~cnnviz.autoencoder.NETWORKS`).

    Returns:
        An uncompiled functional model, (N, H, W, C) float32 in [0, 1] → (N, H, W, C)
        float32 in [0, 1]; layer :data:`BOTTLENECK` outputs (N, H/4, W/4, filters).
    """
    import keras

    if network not in NETWORKS:
        raise InputError(f"Network must be one of {', '.join(NETWORKS)}; got {network!r}.")
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
    layers = keras.layers
    course = network == "course"
    hidden = None if course else "relu"  # the course puts a LeakyReLU(0.1) after its convs

    def conv(x, name: str, k: int):
        x = layers.Conv2D(
            f, 3, padding="same", activation=hidden, name=name, kernel_initializer=init(k)
        )(x)
        if course:
            x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"{name}_leaky_relu")(x)
        return x

    def deconv(x, name: str, k: int):  # linear in the course, ReLU in the lighter network
        return layers.Conv2DTranspose(
            f, 3, strides=2, padding="same", activation=hidden, name=name,
            kernel_initializer=init(k),
        )(x)  # fmt: skip

    inputs = keras.Input((h, w, c), name="image")
    x = conv(inputs, "encoder_conv1", 1)
    x = layers.MaxPooling2D(2, padding="same", name="encoder_pool1")(x)
    x = conv(x, "encoder_conv2", 2)
    x = layers.MaxPooling2D(2, padding="same", name=BOTTLENECK)(x)
    if course:
        x = conv(x, "decoder_conv", 6)  # the extra Conv2D at H/4 × W/4
    x = deconv(x, "decoder_deconv1", 3)
    x = deconv(x, "decoder_deconv2", 4)
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
