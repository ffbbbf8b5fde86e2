"""A model read back from the store, and the default layer the inspection pages start from."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.models import ImageModel


@dataclass
class StoredModel(ImageModel):
    """A model from the store, ready for the inspection pages (an :class:`ImageModel`).

    ``info`` holds the stored metadata (see :class:`ModelStore`).
    """

    @property
    def id(self) -> str:
        """The store id."""
        return str(self.info.get("id", ""))

    @property
    def owner(self) -> str:
        """The workspace that trained or uploaded it."""
        return str(self.info.get("owner", ""))

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of the model input."""
        return tuple(int(v) for v in self.info.get("input_shape", (*self.input_size, 3)))


def last_spatial_layer(model) -> str | None:
    """Name of the last layer with a 4-D output whose height and width are above 1.

    Nested models are searched too (their inner layer wins). Returns None when there is
    none (e.g. a dense-only network).
    """
    for layer in reversed(getattr(model, "layers", [])):
        if hasattr(layer, "layers") and layer.layers:
            inner = last_spatial_layer(layer)
            if inner:
                return inner
            continue
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4 and all(d is None or d > 1 for d in shape[1:3]):
            return layer.name
    return None
