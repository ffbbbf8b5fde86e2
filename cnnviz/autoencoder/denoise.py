"""Denoising measured: clean, noisy and reconstructed images against two baselines."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnviz.autoencoder.model import predict, to_unit
from cnnviz.autoencoder.noise import add_noise
from cnnviz.errors import InputError


@dataclass
class Denoised:
    """Clean, noisy and reconstructed images and their errors.

    Attributes:
        clean: (N, H, W, C) float32 in [0, 1].
        noisy: like ``clean``, after :func:`add_noise`.
        reconstructed: the model's output for ``noisy``.
        mse_model: (N,) mean squared error of ``reconstructed`` against ``clean``.
        mse_noisy: (N,) the trivial baseline: ``noisy`` itself against ``clean``.
        mse_blur: (N,) a classical baseline: the noisy image under a Gaussian blur, with
            the kernel size (see ``blur_size``) that does best on these very images.
        blur_size: side of that Gaussian kernel (3, 5 or 7).
    """

    clean: np.ndarray
    noisy: np.ndarray
    reconstructed: np.ndarray
    mse_model: np.ndarray
    mse_noisy: np.ndarray
    mse_blur: np.ndarray | None = None
    blur_size: int = 0

    @property
    def improvement(self) -> float:
        """How many times smaller the model's mean error is than the baseline's."""
        model = float(np.mean(self.mse_model)) if len(self.mse_model) else math.nan
        base = float(np.mean(self.mse_noisy)) if len(self.mse_noisy) else math.nan
        return base / model if model > 0 else math.inf


def denoise(model, images: np.ndarray, level: float, seed: int = 0) -> Denoised:
    """Noise some uint8 images, reconstruct them, and measure both against the clean ones.

    Args:
        model: an autoencoder taking (N, H, W, C) 0..1 images.
        images: (N, H, W, C) uint8.
        level: noise level (see :func:`add_noise`).
        seed: noise seed.
    """
    clean = to_unit(images)
    expected = tuple(int(v) for v in model.inputs[0].shape[1:])
    if clean.shape[1:] != expected:
        raise InputError(
            f"This autoencoder takes {expected[0]}×{expected[1]}×{expected[2]} images; "
            f"got {clean.shape[1]}×{clean.shape[2]}×{clean.shape[3]}."
        )
    noisy = add_noise(clean, level, seed)
    recon = predict(model, noisy)
    mse = lambda a: ((a - clean) ** 2).reshape(len(clean), -1).mean(axis=1)  # noqa: E731
    blur, size = blur_baseline(noisy, clean)
    return Denoised(clean, noisy, recon, mse(recon), mse(noisy), blur, size)


def blur_baseline(noisy01: np.ndarray, clean01: np.ndarray) -> tuple[np.ndarray, int]:
    """The best Gaussian blur of the noisy images: what denoising costs without learning.

    The kernel size (3, 5 or 7, sigma from OpenCV's rule) is chosen on these very images,
    which flatters the baseline, never the network.

    Args:
        noisy01: (N, H, W, C) float in [0, 1].
        clean01: the clean images, same shape.

    Returns:
        ((N,) mean squared error per image of the best blur, its kernel side).
    """
    import cv2

    noisy = np.asarray(noisy01, np.float32)
    clean = np.asarray(clean01, np.float32)
    best: tuple[np.ndarray, int] | None = None
    for k in (3, 5, 7):
        blurred = np.stack([cv2.GaussianBlur(img, (k, k), 0) for img in noisy])
        blurred = blurred.reshape(noisy.shape)  # OpenCV drops a single channel axis
        err = ((blurred - clean) ** 2).reshape(len(clean), -1).mean(axis=1)
        if best is None or err.mean() < best[0].mean():
            best = (err, k)
    return best
