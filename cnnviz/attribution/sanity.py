"""Would the map change if the network knew nothing? (Adebayo et al., 2018, cascading test.).

:func:`cascade` re-initialises a model's weights layer by layer from the output down, on a
CLONE (the given model, possibly shared by a cache, is never touched), and recomputes the
heatmap after every step. A method that explains the model should give a different map as
soon as the top layers are random; a map that stays the same (high rank correlation with
the original) shows the image's edges, not what the network learned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import models
from cnnviz.attribution.base import METHODS, attribute
from cnnviz.errors import InputError
from cnnviz.models import ImageModel


@dataclass(frozen=True)
class CascadeStep:
    """The map after randomising the layers from the top down to ``layer``.

    Attributes:
        layer: the layer randomised at this step (``"original"`` for the trained model).
        randomised: every layer randomised so far, top first.
        heatmaps: (N, h, w) float32 in [0, 1].
        spearman: (N,) rank correlation of each map with the original one, in [-1, 1].
    """

    layer: str
    randomised: tuple[str, ...]
    heatmaps: np.ndarray
    spearman: np.ndarray


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks of a 1-D array (ties share the mean of their ranks)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    return mean_rank[inverse]


def spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each pair of maps.

    Args:
        a: (N, h, w) float.
        b: (N, h, w) float, compared with ``a`` map by map.

    Returns:
        (N,) float in [-1, 1]; 0 where a map is constant (no ranking to compare).
    """
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    out = np.zeros(len(a))
    for i in range(len(a)):
        ra, rb = _ranks(a[i]), _ranks(b[i])
        ra, rb = ra - ra.mean(), rb - rb.mean()
        den = np.sqrt((ra**2).sum() * (rb**2).sum())
        out[i] = (ra * rb).sum() / den if den > 0 else 0.0
    return out


def clone(model: models.ModelLike) -> models.ModelLike:
    """An independent copy (same weights, new variables) of a ``keras.Model`` or ImageModel."""
    km = models.keras_model(model)
    copy = keras.models.clone_model(km)
    copy.set_weights(km.get_weights())
    if isinstance(model, ImageModel):
        return dataclasses.replace(model, model=copy)
    return copy


def weighted_layers(model: models.ModelLike) -> list[str]:
    """Keys of the layers with weights, from the output down (the cascade's order)."""
    return [i.name for i in reversed(models.layer_infos(model)) if i.params > 0]


def randomise_layer(layer, rng: np.random.Generator) -> None:
    """Re-initialise one layer's weights in place.

    Kernels (2-D or more) get Glorot-uniform values; vectors (biases, batch-norm scales
    and statistics) are shuffled, so they keep their scale and sign.
    """
    for var in layer.weights:
        value = np.asarray(keras.ops.convert_to_numpy(var))
        if value.ndim >= 2:
            receptive = int(np.prod(value.shape[:-2])) if value.ndim > 2 else 1
            fan_in, fan_out = value.shape[-2] * receptive, value.shape[-1] * receptive
            limit = np.sqrt(6.0 / max(1, fan_in + fan_out))
            new = rng.uniform(-limit, limit, value.shape)
        else:
            new = rng.permutation(value.reshape(-1)).reshape(value.shape)
        var.assign(new.astype(value.dtype))


def cascade(
    model: models.ModelLike,
    images,
    method: str = "gradcam",
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
    *,
    max_steps: int | None = None,
    seed: int = 0,
) -> list[CascadeStep]:
    """Cascading randomisation: heatmaps as layers are randomised from the top down.

    Args:
        model: ``ImageModel`` or ``keras.Model``; never modified (a clone is randomised).
        images: as for :func:`cnnviz.attribution.attribute`.
        method: a key of :data:`cnnviz.attribution.METHODS`.
        class_index: class to explain (default: the trained model's top-1 per image; the
            same class is explained at every step).
        layer_name: CAM layer (default one of the trained model).
        max_steps: randomise at most this many layers (default all with weights).
        seed: seed of the new weights.

    Returns:
        ``[original, after layer 1, after layers 1-2, ...]``; step 0 has spearman 1.
    """
    if method not in METHODS:
        raise InputError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if METHODS[method].uses_layer and layer_name is None:
        layer_name = models.default_cam_layer(model)
    kwargs = {"layer_name": layer_name} if METHODS[method].uses_layer else {}
    first = attribute(method, model, images, class_index, **kwargs)
    steps = [CascadeStep("original", (), first.heatmaps, np.ones(len(first.heatmaps)))]
    order = weighted_layers(model)
    if max_steps is not None:
        order = order[: max(0, int(max_steps))]
    if not order:
        return steps
    work = clone(model)
    layers = models.layers_by_name(models.keras_model(work))
    rng = np.random.default_rng(seed)
    done: list[str] = []
    for name in order:
        layer = layers.get(name.split("/")[-1].split("#")[0])
        if layer is None:
            continue
        randomise_layer(layer, rng)
        done.append(name)
        maps = attribute(method, work, images, first.class_indices, **kwargs).heatmaps
        steps.append(CascadeStep(name, tuple(done), maps, spearman(first.heatmaps, maps)))
    return steps
