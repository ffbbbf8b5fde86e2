"""Each image's base features, computed once and kept in one array file in the project.

``features.npz`` holds ``ids`` (the image ids, (N,) str), ``features`` ((N, D) float32, the
pooled base outputs of :func:`cnnviz.transfer.extract_features`) and ``signature`` (the
base, its cut layer, input size, pooling and preprocessing: features of another base are
never mixed in). An image id carries a digest of the stored JPEG, so a row can never
describe other pixels. Retraining after adding five images extracts five.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz import transfer
from cnnviz.myclasses import pictures

FILE = "features.npz"
#: Images read from disk and sent through the base at once (memory stays at one chunk).
CHUNK = 32


@dataclass(frozen=True)
class FeatureProgress:
    """How far extraction is: ``done`` of ``total`` new images (``cached`` were kept)."""

    done: int
    total: int
    cached: int


def signature(model, preprocessing) -> str:
    """What the cached features depend on besides the pixels (see the module docstring)."""
    return transfer.features_key(np.zeros((0, 1, 1, 3), np.uint8), model, preprocessing)


def _load(path, sig: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["signature"]) != sig:
                return {}
            return dict(zip(data["ids"].tolist(), data["features"], strict=True))
    except (OSError, ValueError, KeyError):
        return {}  # none yet, or damaged: computed again


def features_for(
    project,
    model,
    preprocessing,
    items: list[tuple[str, object]],
    progress: Callable[[FeatureProgress], None] | None = None,
) -> tuple[np.ndarray, int]:
    """The features of ``items``, extracting only those not cached; the cache is rewritten.

    Args:
        project: the :class:`~cnnviz.myclasses.Project` (its folder holds the cache).
        model: the whole transfer model (its base and pooling give the features).
        preprocessing: what the base takes.
        items: ``(image id, path of the stored JPEG)`` in the order wanted.
        progress: called after each chunk.

    Returns:
        ((N, D) float32 in the order of ``items``, how many were extracted now). The file
        keeps exactly these rows afterwards (removed images' rows are dropped).
    """
    path = project.folder / FILE
    sig = signature(model, preprocessing)
    cached = _load(path, sig)
    todo = [(image_id, p) for image_id, p in items if image_id not in cached]
    size = transfer.model_input_size(model)
    done = 0
    for chunk in pictures.chunks(todo, CHUNK):
        batch = pictures.read_resized([p for _, p in chunk], size)
        feats, _ = transfer.extract_features(
            model, batch, preprocessing=preprocessing, batch_size=CHUNK, cache=False
        )
        for (image_id, _), row in zip(chunk, feats, strict=True):
            cached[image_id] = row
        done += len(chunk)
        if progress is not None:
            progress(FeatureProgress(done, len(todo), len(items) - len(todo)))
    ids = [image_id for image_id, _ in items]
    if not ids:
        return np.zeros((0, 0), np.float32), 0
    out = np.stack([cached[i] for i in ids]).astype(np.float32, copy=False)
    if todo or len(cached) != len(ids):
        buf = io.BytesIO()
        np.savez(buf, ids=np.asarray(ids), features=out, signature=np.asarray(sig))
        project.write_file(path, buf.getvalue())
    return out, len(todo)
