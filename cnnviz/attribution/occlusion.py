"""Occlusion sensitivity: cover part of the image, see how much the class score drops."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import models
from cnnviz.attribution.base import AttributionMethod, register
from cnnviz.attribution.inputs import forward_function
from cnnviz.errors import InputError


def _probabilities(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, np.float64)
    if logits.shape[-1] == 1:
        p = 1 / (1 + np.exp(-logits))
        return np.concatenate([1 - p, p], axis=-1)
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _scores(logits: np.ndarray, classes: np.ndarray, kind: str) -> np.ndarray:
    """Score of ``classes[i]`` in row i: probability, or logit (binary: ±z)."""
    if kind == "probability":
        return _probabilities(logits)[np.arange(len(classes)), classes]
    if logits.shape[-1] == 1:
        return logits[:, 0] * (2 * classes - 1)
    return logits[np.arange(len(classes)), classes]


@dataclass(frozen=True)
class Occlusion(AttributionMethod):
    """Occlusion sensitivity: slide a grey patch, map the drop of the class score.

    Model-agnostic (forward passes only), so it cross-checks the gradient methods.
    Each pixel's value is the mean drop over the patch positions covering it.

    Options:
        patch: patch side in pixels (default 1/7 of the smaller input side).
        stride: step between patch positions (default half the patch).
        fill: grey value in the ``images`` space (default 127.5 per RGB channel for an
            ``ImageModel``, each image's channel mean for a bare model).
        score: ``"probability"`` (default) or ``"logit"``.
        chunk: occluded copies per forward pass (64).
    """

    key: str = "occlusion"
    title: str = "Occlusion sensitivity"
    help: str = (
        "slides a grey patch over the image and records how much the class probability "
        "drops. No gradients: a cross-check that works for any model. Slowest."
    )

    def raw_maps(
        self,
        batch,
        ids,
        layer_name,
        patch=None,
        stride=None,
        fill=None,
        score="probability",
        chunk=64,
    ):
        """Mean score drop over the patch positions covering each pixel: (n, h, w)."""
        h, w = batch.size
        patch = max(1, min(h, w) // 7) if patch is None else int(patch)
        stride = max(1, patch // 2) if stride is None else int(stride)
        if not 1 <= patch <= min(h, w) or stride < 1:
            raise InputError(
                f"Occlusion patch must be 1..{min(h, w)} pixels and stride >= 1; got "
                f"patch={patch}, stride={stride}."
            )
        if score not in ("probability", "logit"):
            raise InputError(f"score must be 'probability' or 'logit', got {score!r}.")
        forward = forward_function(batch)
        logits = np.asarray(keras.ops.convert_to_numpy(forward(batch.x)))
        chosen = ids.copy()
        top = (logits[:, 0] > 0).astype(np.int32) if logits.shape[-1] == 1 else logits.argmax(-1)
        chosen[chosen < 0] = top[chosen < 0]
        base = _scores(logits, chosen, score)
        ys = _positions(h, patch, stride)
        xs = _positions(w, patch, stride)
        spots = [(y, x) for y in ys for x in xs]
        fill_values = batch.fill if fill is None else np.full_like(batch.fill, float(fill))
        maps = np.zeros((len(batch.x), h, w), np.float64)
        counts = np.zeros((h, w), np.float64)
        for y, x in spots:
            counts[y : y + patch, x : x + patch] += 1
        for i, image in enumerate(batch.x):
            drops = []
            for start in range(0, len(spots), chunk):
                part = spots[start : start + chunk]
                copies = np.repeat(image[None], len(part), axis=0)
                for k, (y, x) in enumerate(part):
                    copies[k, y : y + patch, x : x + patch] = fill_values[i, 0, 0]
                out = np.asarray(keras.ops.convert_to_numpy(forward(copies)))
                drops.append(base[i] - _scores(out, np.full(len(part), chosen[i]), score))
            for (y, x), drop in zip(spots, np.concatenate(drops), strict=True):
                maps[i, y : y + patch, x : x + patch] += drop
        return maps / np.maximum(counts, 1), chosen


def _positions(length: int, patch: int, stride: int) -> list[int]:
    """Patch start positions covering [0, length), the last one flush with the edge."""
    starts = list(range(0, max(length - patch, 0) + 1, stride))
    if starts[-1] != length - patch and length - patch > 0:
        starts.append(length - patch)
    return starts


OCCLUSION = register(Occlusion())


def occlusion(
    model: models.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    *,
    patch: int | None = None,
    stride: int | None = None,
    fill: float | None = None,
    score: str = "probability",
) -> np.ndarray:
    """Occlusion sensitivity, (N, h, w) float32 in [0, 1]; options as :class:`Occlusion`."""
    return OCCLUSION(
        model, images, class_index, patch=patch, stride=stride, fill=fill, score=score
    ).heatmaps
