"""Does a heatmap point at the object? Scores against ground-truth boxes and baselines.

Two scores per method, over a set of images with known object boxes:

* **pointing game** (Zhang et al., 2016): the share of maps whose peak lies inside the box;
* **energy pointing game** (Wang et al., 2020, Score-CAM): the mean share of a map's mass
  that lies inside the box.

Each is also computed for two baselines, so a score can be read as better than a guess:

* **centre**: a map that always peaks at the image centre (a Gaussian of sigma 1/4 of the
  side). Published tables (TorchRay's) put this next to every method.
* **shuffled boxes**: the method's own maps scored against the boxes of *other* images
  (a derangement, so no image keeps its own box). A method that scores as well here has
  learned where objects usually are, not where this one is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnviz import models
from cnnviz.attribution.base import METHODS
from cnnviz.caching import digest
from cnnviz.errors import InputError
from cnnviz.models import ImageModel

SCORES: tuple[str, ...] = (
    "pointing",
    "energy",
    "centre_pointing",
    "centre_energy",
    "shuffled_pointing",
    "shuffled_energy",
)
"""Keys of each method's scores in :func:`localisation`'s result."""

CENTRE_SIGMA = 0.25
"""Standard deviation of the centre baseline's Gaussian, as a fraction of the side."""

_RESULTS = models.ModelCache(maxsize=16)


def _inside(boxes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(N, h, w) bool: True inside each box ``(x0, y0, x1, y1)``, exclusive ends."""
    h, w = shape
    ys = np.arange(h)[None, :, None]
    xs = np.arange(w)[None, None, :]
    b = boxes[:, :, None, None]
    return (xs >= b[:, 0]) & (xs < b[:, 2]) & (ys >= b[:, 1]) & (ys < b[:, 3])


def _check(heatmaps, boxes) -> tuple[np.ndarray, np.ndarray]:
    heat = np.nan_to_num(np.asarray(heatmaps, dtype=np.float64))
    box = np.asarray(boxes, dtype=np.float64)
    if heat.ndim != 3 or box.shape != (len(heat), 4):
        raise InputError(
            f"Expected heatmaps (N, h, w) and boxes (N, 4), got {heat.shape} and {box.shape}."
        )
    return heat, box


def pointing_game(heatmaps: np.ndarray, boxes: np.ndarray, tolerance: int = 0) -> np.ndarray:
    """Whether each heatmap's peak falls inside its object's box (Zhang et al., 2016).

    Args:
        heatmaps: (N, h, w) float.
        boxes: (N, 4) ``x0, y0, x1, y1`` in heatmap pixel coordinates, the object covering
            ``heatmap[y0:y1, x0:x1]`` (``x1``, ``y1`` exclusive, as ``cnnviz.datasets``).
        tolerance: pixels of slack around each box.

    Returns:
        (N,) bool hits; ``hits.mean()`` is the pointing-game accuracy.
    """
    heat = np.asarray(heatmaps, dtype=np.float32)
    box = np.asarray(boxes, dtype=np.float64)
    if heat.ndim != 3 or box.shape != (len(heat), 4):
        raise InputError(
            f"Expected heatmaps (N, h, w) and boxes (N, 4), got {heat.shape} and {box.shape}."
        )
    flat = np.nan_to_num(heat).reshape(len(heat), -1).argmax(axis=1)
    py, px = np.unravel_index(flat, heat.shape[1:])
    t = float(tolerance)
    return (
        (px >= box[:, 0] - t) & (px < box[:, 2] + t) & (py >= box[:, 1] - t) & (py < box[:, 3] + t)
    )


def scale_boxes(boxes, source_size: tuple[int, int], target_size: tuple[int, int]) -> np.ndarray:
    """Boxes in one image size's pixels, in another's (e.g. a heatmap's).

    Args:
        boxes: (N, 4) or (4,) ``x0, y0, x1, y1`` in pixels of a ``source_size`` image.
        source_size: (height, width) the boxes are given in.
        target_size: (height, width) wanted.

    Returns:
        float64 boxes of the same shape, in ``target_size`` pixels.
    """
    (sh, sw), (th, tw) = source_size, target_size
    return np.asarray(boxes, dtype=np.float64) * np.array([tw / sw, th / sh] * 2)


def pointing_hits(heatmaps: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(N,) bool: each map's peak (first maximum) lies inside its box.

    Args:
        heatmaps: (N, h, w) float.
        boxes: (N, 4) ``x0, y0, x1, y1`` in heatmap pixels, ends exclusive.
    """
    heat, box = _check(heatmaps, boxes)
    flat = heat.reshape(len(heat), -1).argmax(axis=1)
    py, px = np.unravel_index(flat, heat.shape[1:])
    return (px >= box[:, 0]) & (px < box[:, 2]) & (py >= box[:, 1]) & (py < box[:, 3])


def energy_inside(heatmaps: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(N,) float in [0, 1]: the share of each map's (non-negative) mass inside its box.

    An all-zero map scores 0 (it points nowhere).
    """
    heat, box = _check(heatmaps, boxes)
    heat = np.maximum(heat, 0.0)
    total = heat.sum(axis=(1, 2))
    inside = (heat * _inside(box, heat.shape[1:])).sum(axis=(1, 2))
    return np.where(total > 0, inside / np.maximum(total, 1e-12), 0.0)


def centre_maps(n: int, size: tuple[int, int]) -> np.ndarray:
    """(n, h, w) float32 centre-baseline maps: a Gaussian at the centre, peak 1."""
    h, w = size
    ys = (np.arange(h) - (h - 1) / 2) / (CENTRE_SIGMA * h)
    xs = (np.arange(w) - (w - 1) / 2) / (CENTRE_SIGMA * w)
    g = np.exp(-0.5 * (ys[:, None] ** 2 + xs[None, :] ** 2)).astype(np.float32)
    return np.repeat(g[None], n, axis=0)


def derangement(n: int, seed: int = 0) -> np.ndarray:
    """(n,) int permutation with no fixed point (for n >= 2): image i gets box ``p[i]``."""
    if n < 2:
        return np.arange(n)
    order = np.random.default_rng(seed).permutation(n)
    p = np.empty(n, np.int64)
    p[order] = np.roll(order, 1)  # a single cycle through a random order
    return p


def score_maps(heatmaps: np.ndarray, boxes: np.ndarray, seed: int = 0) -> dict[str, float]:
    """All :data:`SCORES` for one method's maps.

    Args:
        heatmaps: (N, h, w) float, non-negative.
        boxes: (N, 4) ``x0, y0, x1, y1`` in heatmap pixels.
        seed: seed of the box shuffle.

    Returns:
        ``{score: value in [0, 1]}``.
    """
    heat, box = _check(heatmaps, boxes)
    centre = centre_maps(len(heat), heat.shape[1:])
    shuffled = box[derangement(len(box), seed)]
    return {
        "pointing": float(pointing_hits(heat, box).mean()),
        "energy": float(energy_inside(heat, box).mean()),
        "centre_pointing": float(pointing_hits(centre, box).mean()),
        "centre_energy": float(energy_inside(centre, box).mean()),
        "shuffled_pointing": float(pointing_hits(heat, shuffled).mean()),
        "shuffled_energy": float(energy_inside(heat, shuffled).mean()),
    }


def localisation(
    model: models.ModelLike,
    images,
    boxes,
    methods: Sequence[str] | None = None,
    *,
    labels=None,
    layer_name: str | None = None,
    batch_size: int = 64,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Pointing game and energy pointing of each method, with centre and shuffled baselines.

    Each method runs ONE batched pass over all images. Results are cached per model (and
    images, boxes, labels, methods), so asking again is free.

    Args:
        model: ``ImageModel`` (RGB uint8 images; grayscale (N, H, W, 1) is turned to RGB)
            or ``keras.Model`` (preprocessed input).
        images: (N, H, W, C) batch; not modified.
        boxes: (N, 4) ``x0, y0, x1, y1`` object boxes in ``images`` pixels (ends exclusive,
            as ``cnnviz.datasets``); scaled to the model's input size when it differs.
        methods: keys of :data:`cnnviz.attribution.METHODS`; default all of them.
        labels: (N,) class to explain per image (the true class); default each image's
            top-1 class.
        layer_name: CAM layer (default :func:`cnnviz.models.default_cam_layer`).
        batch_size: images per forward/backward pass.
        seed: seed of the box shuffle.

    Returns:
        ``{method: {score: value}}`` with the keys of :data:`SCORES`, values in [0, 1].

    Raises:
        InputError: mismatched images and boxes, no images, or an unknown method.
    """
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[None]
    box = np.asarray(boxes, dtype=np.float64)
    if x.ndim != 4 or len(x) == 0 or box.shape != (len(x), 4):
        raise InputError(
            f"Localisation needs a batch of images (N, H, W, C) with one box (x0, y0, x1, y1) "
            f"each; got images {x.shape} and boxes {box.shape}."
        )
    names = list(METHODS) if methods is None else [str(m) for m in methods]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise InputError(f"Unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}.")
    if isinstance(model, ImageModel) and x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    ids = None if labels is None else np.asarray(labels, dtype=np.int64).reshape(-1)
    if ids is not None and len(ids) != len(x):
        raise InputError(f"Got {len(ids)} labels for {len(x)} images.")
    key = (
        "localisation",
        digest(x, box, np.asarray([] if ids is None else ids)),
        tuple(names),
        layer_name,
        int(seed),
    )

    def compute() -> dict[str, dict[str, float]]:
        scaled = scale_boxes(box, x.shape[1:3], models.input_shape(model)[:2])
        out = {}
        for name in names:
            method = METHODS[name]
            kwargs = {"layer_name": layer_name} if method.uses_layer else {}
            result = method(model, x, ids, batch_size=batch_size, **kwargs)
            out[name] = score_maps(result.heatmaps, scaled, seed)
        return out

    cached = _RESULTS.get(models.keras_model(model), key, compute)
    return {m: dict(s) for m, s in cached.items()}
