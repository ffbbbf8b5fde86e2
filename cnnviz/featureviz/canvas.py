"""How big a canvas the optimisation needs: the layer's effective receptive field.

Periodic recipes (the Fourier one) optimise one period no smaller than :data:`MIN_CANVAS`
holding the field a unit of the layer really uses, and repeat it to the size asked for.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnviz import autodiff, models
from cnnviz.featureviz.recipes import RECIPES
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import Preprocessing, unit

MIN_CANVAS = 64
"""Smallest periodic canvas (pixels per side); see :func:`periodic_canvas`."""

_ERF_MASS = 0.95
_ERF_CACHE = models.ModelCache(maxsize=32)


def effective_receptive_field(
    model: models.ModelLike,
    layer_name: str,
    size: int,
    preprocessing: Preprocessing | None = None,
) -> int:
    """Side of the square around the centre cell's input that holds 95% of its gradient.

    The effective receptive field (Luo et al., NeurIPS 2016): the theoretical field of a deep
    unit is mostly silent; its gradient concentrates in a smaller centre. Measured once per
    model, layer and canvas on a grey image with mild noise (so the ReLUs on the way pass
    gradient): the sum over channels of the centre cell's absolute pre-activation values is
    differentiated, and the smallest centred square holding 95% of the absolute gradient
    is returned. Cached per model.

    Args:
        model: a model whose layers up to ``layer_name`` are convolutional (any input size).
        layer_name: a spatial layer.
        size: canvas side the field is measured on (the answer is at most this).
        preprocessing: for a bare ``keras.Model`` (default: the model's own, or unit).

    Returns:
        The side in input pixels, 1..size.
    """
    if isinstance(model, ImageModel):
        prep = model.preprocessing
    else:
        channels = models.input_shape(model)[-1]
        prep = preprocessing or unit(grayscale=channels == 1)

    def measure() -> int:
        sub, _ = models.layer_model(model, layer_name, flexible=True, pre_activation=True)
        ops = keras.ops
        rng = np.random.default_rng(0)
        start = (128.0 + rng.normal(0.0, 20.0, (1, size, size, 3))).astype(np.float32)

        def centre(x):
            act = sub(prep.apply(x, ops=ops), training=False)  # (1, h, w, C)
            return ops.sum(ops.abs(act[:, act.shape[1] // 2, act.shape[2] // 2, :]))

        _, grad = autodiff.value_and_grad(centre, start)
        mass = np.abs(keras.ops.convert_to_numpy(grad)).sum(axis=(0, 3))  # (size, size)
        total = float(mass.sum())
        if total <= 0:
            return size
        # Centred on the gradient's centre of mass (the cell's centre, up to padding).
        cy = round(float((mass.sum(axis=1) * np.arange(size)).sum()) / total)
        cx = round(float((mass.sum(axis=0) * np.arange(size)).sum()) / total)
        for r in range(size):
            if mass[max(0, cy - r) : cy + r + 1, max(0, cx - r) : cx + r + 1].sum() >= (
                _ERF_MASS * total
            ):
                return min(size, 2 * r + 1)
        return size

    key = (layer_name, int(size), prep)
    return int(_ERF_CACHE.get(models.keras_model(model), key, measure))


def periodic_canvas(
    model: models.ModelLike,
    layer_name: str,
    size: int,
    preprocessing: Preprocessing | None = None,
) -> int:
    """The canvas the Fourier recipe optimises for a ``size`` picture of a spatial layer.

    The recipe's images are periodic (an inverse FFT), so a canvas that holds the layer's
    effective receptive field (:func:`effective_receptive_field`, rounded to whole cells of
    the layer) can be repeated seamlessly to any size: every cell of the layer already sees
    one whole period, so a larger canvas costs more without showing a new kind of pattern.
    Early layers, whose fields are a few pixels, run on :data:`MIN_CANVAS` pixels; deep
    ones whose field covers the picture keep the full size.

    Returns:
        The canvas side, MIN_CANVAS..size (``size`` itself when it is smaller).
    """
    if size <= MIN_CANVAS:
        return size
    erf = effective_receptive_field(model, layer_name, size, preprocessing)
    geometry = models.receptive_field(model, layer_name)
    stride = int(max(geometry.stride)) if geometry is not None else 1
    side = max(1, round(erf / stride)) * stride
    return int(min(size, max(MIN_CANVAS, side)))


def optimised_side(
    model: models.ModelLike, layer_name: str, size: int, method: str = "fourier"
) -> int:
    """The side ``visualize_filters`` optimises for a ``size`` picture (the period).

    :func:`periodic_canvas` for a periodic recipe (the Fourier one) on a layer the image
    reaches through convolutions only; ``size`` otherwise (the naive recipe, dense layers,
    fixed-size networks).
    """
    info = models.layer_info(model, layer_name)
    if not RECIPES.get(method).periodic or len(info.output_shape) != 3:
        return int(size)
    _, flexible = models.layer_model(model, layer_name, flexible=True, pre_activation=True)
    return periodic_canvas(model, layer_name, size) if flexible else int(size)
