"""Noise for a denoising autoencoder: the course's noisy copy, the fresh-noise layer, losses."""

from __future__ import annotations

import math

import numpy as np

from cnnviz.autoencoder.config import LOSSES, MAX_NOISE
from cnnviz.errors import InputError


def add_noise(images01: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
    """The course's noisy copy: ``clip(x + level * normal(0, 1), 0, 1)``.

    Args:
        images01: float images in [0, 1], any shape (e.g. (N, H, W, C)); not changed.
        level: noise standard deviation in 0..1 pixel units (the course: 0.5), ≥ 0.
        seed: the same seed gives the same noise.

    Returns:
        float32, the shape of ``images01``, in [0, 1].
    """
    if not (0.0 <= float(level) <= MAX_NOISE) or not math.isfinite(float(level)):
        raise InputError(f"Noise level must be between 0 and {MAX_NOISE:g}; got {level}.")
    x = np.asarray(images01, dtype=np.float32)
    noise = np.random.default_rng(int(seed)).standard_normal(x.shape, dtype=np.float32)
    return np.clip(x + np.float32(level) * noise, 0.0, 1.0)


def noise_layer_class():
    """The Keras layer that adds fresh clipped noise at every call (imported on first use)."""
    from cnnviz.autoencoder.noisy_input import NoisyInput

    return NoisyInput


def reconstruction_loss(name: str):
    """A Keras loss between uint8 clean targets (0..255) and reconstructions in [0, 1]."""
    import keras

    if name not in LOSSES:
        raise InputError(f"Loss must be one of {', '.join(LOSSES)}; got {name!r}.")
    base = keras.losses.BinaryCrossentropy() if name == "binary_crossentropy" else keras.losses.MSE

    def loss(y_true, y_pred):
        clean = keras.ops.cast(y_true, "float32") / 255.0
        return base(clean, keras.ops.cast(y_pred, "float32"))

    loss.__name__ = f"reconstruction_{name}"
    return loss


def per_image_loss(clean01: np.ndarray, recon01: np.ndarray, name: str) -> np.ndarray:
    """The reconstruction loss of each image, as Keras computes it (mean over pixels).

    Args:
        clean01: (N, H, W, C) clean images, float in [0, 1].
        recon01: reconstructions, same shape and range.
        name: one of :data:`LOSSES`.

    Returns:
        (N,) float64.
    """
    t = np.asarray(clean01, np.float64)
    p = np.asarray(recon01, np.float64)
    if name == "mse":
        err = (t - p) ** 2
    else:
        p = np.clip(p, 1e-7, 1 - 1e-7)  # Keras' epsilon
        err = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return err.reshape(len(t), -1).mean(axis=1)
