"""Which layer and filters a page starts on."""

from __future__ import annotations

from cnnviz import models
from cnnviz.errors import InputError

BIG_MODEL_PARAMS = 1_000_000
"""Models with more parameters than this count as "big" (pretrained ImageNet networks)."""


def default_layer(model: models.ModelLike) -> str:
    """The layer the Filter visualization page starts on.

    Small models: the last convolution (its filters respond to whole shapes). Big ones: the
    convolution about 60% deep, where textures and object parts appear. This is not the
    Grad-CAM layer (:func:`cnnviz.models.default_cam_layer`, the last 4-D output with
    spatial size above 1, whatever its kind): a filter picture needs a convolution, and on
    a big network the last one shows little a student recognises.

    Raises:
        InputError: the model has no convolution layer.
    """
    convs = models.conv_layers(model)
    if not convs:
        raise InputError("This model has no convolution layer, so there are no filters to show.")
    big = int(models.keras_model(model).count_params()) > BIG_MODEL_PARAMS
    return convs[int(len(convs) * 0.6)] if big else convs[-1]


def filter_count(model: models.ModelLike, layer_name: str) -> int:
    """Number of filters (channels, or units) a layer has; what ``filter_indices`` index."""
    return int(models.layer_info(model, layer_name).output_shape[-1])
