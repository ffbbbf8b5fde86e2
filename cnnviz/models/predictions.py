"""Raw model outputs to probabilities and the k most probable classes, written once.

:class:`~cnnviz.models.ImageModel` (and so every pretrained model), the evaluation of a
trained model and the comparison of pretrained models all read their outputs through here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis.

    Args:
        logits: (..., K) real scores.

    Returns:
        (..., K) float32 in [0, 1], summing to 1 over the last axis.
    """
    z = np.asarray(logits, dtype=np.float32)
    z = z - z.max(axis=-1, keepdims=True)  # stable: the largest exponent is e^0
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def probabilities(outputs: np.ndarray, *, logits: bool) -> np.ndarray:
    """Turn a classifier's raw outputs into class probabilities.

    Args:
        outputs: (N, K) raw model outputs; K = 1 for a single-unit binary classifier.
        logits: True when the outputs are logits (softmax, or sigmoid for one unit, applied
            here); False when the model already ends in softmax / sigmoid.

    Returns:
        (N, max(K, 2)) float32, rows summing to 1; a single unit gives
        ``[P(class 0), P(class 1)]``.
    """
    outputs = np.asarray(outputs, dtype=np.float32)
    if outputs.shape[-1] == 1:  # single-unit binary classifier: P(class 1)
        p = 1 / (1 + np.exp(-outputs)) if logits else outputs
        return np.concatenate([1 - p, p], axis=-1)
    return softmax(outputs) if logits else outputs


def top_indices(probs: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices of the k largest values of each row, largest first.

    Args:
        probs: (N, K) or (K,) scores.
        k: how many to keep (clipped to 1..K).

    Returns:
        (N, k) or (k,) int64 indices, matching ``probs``' leading axes.
    """
    probs = np.asarray(probs)
    k = max(1, min(int(k), probs.shape[-1]))
    return np.argsort(probs, axis=-1)[..., ::-1][..., :k].astype(np.int64)


def top_k(
    probs: np.ndarray, class_names: Sequence[str], k: int = 5
) -> list[list[tuple[int, str, float]]]:
    """The k most probable classes of each row.

    Args:
        probs: (N, K) probabilities.
        class_names: K names.
        k: how many to keep (clipped to 1..K).

    Returns:
        One list per row of (class index, class name, probability), best first.
    """
    probs = np.asarray(probs)
    return [
        [(int(i), class_names[i], float(row[i])) for i in idx]
        for row, idx in zip(probs, top_indices(probs, k), strict=True)
    ]
