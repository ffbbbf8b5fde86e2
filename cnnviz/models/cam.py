"""The default Grad-CAM layer, decided in one place for every attribution method."""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.models.graph import ModelLike
from cnnviz.models.imagemodel import ImageModel
from cnnviz.models.layers import layer_infos
from cnnviz.models.trace import cached_trace


def default_cam_layer(model: ModelLike) -> str:
    """Default Grad-CAM layer: the last layer with a 4-D output whose height and width are > 1.

    An ``ImageModel``'s own ``last_conv_layer`` wins when it names an existing layer.

    Raises:
        InputError: when the model has no such layer (e.g. a plain dense network).
    """
    if (
        isinstance(model, ImageModel)
        and model.last_conv_layer
        and model.last_conv_layer in cached_trace(model).taps
    ):
        return model.last_conv_layer
    for info in reversed(layer_infos(model)):
        if info.is_spatial and all(d is None or d > 1 for d in info.output_shape[:2]):
            return info.name
    raise InputError(
        "This model has no convolutional layer with a spatial map larger than 1x1, "
        "so there is nothing for Grad-CAM to look at."
    )
