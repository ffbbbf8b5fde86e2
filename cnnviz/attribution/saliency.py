"""Vanilla saliency and SmoothGrad: how much each pixel moves the class logit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import config, models
from cnnviz.attribution.base import register
from cnnviz.attribution.gradients import GradientMethod, gradients_at
from cnnviz.errors import InputError


@dataclass(frozen=True)
class Saliency(GradientMethod):
    """Vanilla saliency: |d logit / d pixel| (Simonyan et al., 2014)."""

    key: str = "saliency"
    title: str = "Vanilla saliency"
    help: str = "how much each pixel changes the class score (|gradient|). Sharp but noisy."

    def input_gradients(self, batch, ids, **options):
        """Gradient of the class logit with respect to the clean image."""
        if options:
            raise TypeError(f"{self.label} takes no options, got {sorted(options)}.")
        return gradients_at(batch, batch.x, ids)


@dataclass(frozen=True)
class SmoothGrad(GradientMethod):
    """SmoothGrad: gradients averaged over noisy copies of the image (Smilkov et al., 2017).

    Options:
        samples: noisy copies per image (default 25; 4 under ``CNNVIZ_FAST``).
        noise: noise standard deviation as a fraction of the image's value range (0.15).
        seed: random seed for the noise.
    """

    key: str = "smoothgrad"
    title: str = "SmoothGrad"
    help: str = "saliency averaged over noisy copies of the image: less noise."

    def input_gradients(self, batch, ids, samples=None, noise=0.15, seed=0):
        """Mean gradient over ``samples`` noisy copies (the noise depends on ``seed`` only)."""
        samples = (4 if config.fast_mode() else 25) if samples is None else int(samples)
        if samples < 1:
            raise InputError(f"SmoothGrad needs at least 1 sample, got {samples}.")
        if not 0 <= float(noise) <= 1:
            raise InputError(f"noise must be between 0 and 1 (a fraction), got {noise}.")
        # The class is fixed on the clean image, then explained on every noisy copy.
        _, chosen = gradients_at(batch, batch.x, ids)
        chosen = np.asarray(chosen, np.int32)
        # Every image gets the same noise stream, so its map does not depend on the batch.
        rng = np.random.default_rng(int(seed))
        sigma = (float(noise) * batch.value_range)[:, None, None, None]
        total = np.zeros_like(batch.x, dtype=np.float64)
        for _ in range(samples):
            noise_sample = rng.normal(size=batch.x.shape[1:]).astype(np.float32)
            noisy = batch.x + noise_sample[None] * sigma
            grads, _ = gradients_at(batch, noisy, chosen)
            total += grads
        return total / samples, chosen


SALIENCY = register(Saliency())
SMOOTHGRAD = register(SmoothGrad())


def saliency(
    model: models.ModelLike, images, class_index: int | Sequence[int] | None = None
) -> np.ndarray:
    """Vanilla gradient saliency, (N, h, w) float32 in [0, 1]; arguments as ``grad_cam``."""
    return SALIENCY(model, images, class_index).heatmaps


def smoothgrad(
    model: models.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    *,
    samples: int | None = None,
    noise: float = 0.15,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad saliency, (N, h, w) float32 in [0, 1]; options as :class:`SmoothGrad`."""
    return SMOOTHGRAD(model, images, class_index, samples=samples, noise=noise, seed=seed).heatmaps
