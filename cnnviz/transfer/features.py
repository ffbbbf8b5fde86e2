"""Feature extraction for transfer learning, cached on disk.

The frozen base runs once over every split (batched, with progress); its pooled outputs are
saved under a key made of the images' digest, the base, its cut layer, the input size, the
pooling and the preprocessing, so a second head on the same data costs seconds. The cache
keeps its newest files up to ``CNNVIZ_FEATURE_CACHE_MB`` (default 2 GB).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.caching import digest
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.evaluation import to_model_input
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.transfer.bases import base_name, base_preprocessing
from cnnviz.transfer.model import base_layers, feature_extractor, model_input_size, pool_layer

_CACHE_VERSION = 2
# The feature cache keeps its newest files up to this many bytes (``CNNVIZ_FEATURE_CACHE_MB``).
FEATURE_CACHE_BYTES = int(float(os.environ.get("CNNVIZ_FEATURE_CACHE_MB", 2048)) * 2**20)


def preprocessing_of(model) -> Preprocessing:
    """What a transfer model takes: an ``ImageModel``'s preprocessing, else its base's.

    A bare Keras model names its base (``<base>_transfer``, see
    :func:`~cnnviz.transfer.bases.base_name`), whose registered preprocessing is used.
    """
    if isinstance(model, ImageModel):
        return model.preprocessing
    return base_preprocessing(base_name(model))


def _model_and_preprocessing(model, preprocessing: Preprocessing | None):
    """(the Keras model, its preprocessing): given, from the ``ImageModel``, or the base's."""
    pre = preprocessing or preprocessing_of(model)
    return (model.model if isinstance(model, ImageModel) else model), pre


def features_dir() -> Path:
    """Where cached features live (``$CNNVIZ_HOME/features``)."""
    from cnnviz import config

    return config.home() / "features"


def images_digest(images: np.ndarray) -> str:
    """Digest (20 hex digits) of an image array's shape, dtype and bytes."""
    return digest(np.asarray(images), size=10)


def features_key(images: np.ndarray, model, preprocessing: Preprocessing | None = None) -> str:
    """Cache key: images digest + base (name, cut layer) + input size + pooling + preprocessing.

    Args:
        images: (N, H, W, C) uint8.
        model: a transfer model, or an ``ImageModel`` holding one.
        preprocessing: what the base takes (default: the base's own, see
            :func:`preprocessing_of`).
    """
    keras_model, pre = _model_and_preprocessing(model, preprocessing)
    h, w = model_input_size(keras_model)
    return digest(
        f"v{_CACHE_VERSION}",
        images_digest(images),
        base_name(keras_model),
        _cut_name(keras_model),
        f"{h}x{w}",
        pool_layer(keras_model).name,
        sorted(pre.to_dict().items()),
    )


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
    preprocessing: Preprocessing | None = None,
    batch_size: int = 32,
    progress: Callable[[ExtractProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    cache: bool = True,
) -> tuple[np.ndarray, bool]:
    """The pooled base outputs of a transfer model for every image, cached on disk.

    Args:
        model: a transfer model from :func:`build_model` (its base frozen), or an
            ``ImageModel`` holding one (a stored transfer model).
        images: (N, H, W, C) uint8, C = 1 or 3 (grayscale is repeated to RGB).
        preprocessing: what the base takes; default the ``ImageModel``'s, or for a bare
            Keras model its base's (:func:`preprocessing_of`).
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
    model, pre = _model_and_preprocessing(model, preprocessing)
    path = features_dir() / f"{features_key(images, model, pre)}.npy" if cache else None
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
    size = model_input_size(model)
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
