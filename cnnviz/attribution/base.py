"""The shape every attribution method shares, and the registry of methods.

:class:`AttributionMethod` runs the whole pipeline (inputs → class choice → raw maps →
ReLU → upsample → / max) in chunks; a method is a frozen dataclass :class:`Entry` (key,
title, help text a student reads) that overrides only :meth:`AttributionMethod.raw_maps`,
or, one level down, what differs inside its family (a CAM method's channel weights, a
gradient method's input gradients). :data:`REGISTRY` keeps the methods in order; pages and
tests read it, so a new method shows up everywhere once registered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import models
from cnnviz.attribution.inputs import Batch, class_ids
from cnnviz.attribution.maps import normalize, upsample
from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry


@dataclass(frozen=True)
class Attribution:
    """Heatmaps with what they explain.

    Attributes:
        heatmaps: (N, h, w) float32 in [0, 1], (h, w) the model's input size.
        class_indices: (N,) int, the class each map explains (the top-1 class when none
            was asked for).
        method: the method's key in :data:`REGISTRY`.
        layer_name: the layer used by CAM methods, ``None`` for the others.
    """

    heatmaps: np.ndarray
    class_indices: np.ndarray
    method: str
    layer_name: str | None


@dataclass(frozen=True)
class AttributionMethod(Entry):
    """Shared pipeline: inputs → class choice → raw maps (per method) → ReLU → upsample → / max.

    Subclasses give ``key``, ``title`` and ``help`` (defaults of their fields) and implement
    :meth:`raw_maps`. Calling an instance runs the whole pipeline in chunks of
    ``batch_size`` images.

    Attributes:
        uses_layer: the method reads a layer's feature maps (CAM methods).
        relu: negative evidence is dropped (on the coarse map, before upsampling).
    """

    uses_layer: bool = False
    relu: bool = True

    @property
    def label(self) -> str:
        """The method's name for students (its ``title``)."""
        return self.title

    def __call__(
        self,
        model: models.ModelLike,
        images,
        class_index: int | Sequence[int] | None = None,
        layer_name: str | None = None,
        *,
        batch_size: int = 16,
        **options,
    ) -> Attribution:
        """Explain ``model``'s decision on ``images``.

        Args:
            model: ``ImageModel`` (RGB uint8 images of any size) or ``keras.Model``
                (preprocessed (N, H, W, C) float input).
            images: one image or a batch / list of them (see ``model``); not modified.
            class_index: class to explain: ``None`` = each image's top-1 class, an int for
                all images, or one int per image.
            layer_name: layer for CAM methods (default
                :func:`cnnviz.models.default_cam_layer`); ignored by the others.
            batch_size: images per forward/backward pass.
            **options: method-specific options (see each class).

        Returns:
            :class:`Attribution` with (N, h, w) heatmaps in [0, 1] at the model input size.
        """
        batch = Batch.make(model, images)
        ids = class_ids(class_index, len(batch.x), models.num_classes(model))
        layer = self.resolve_layer(model, layer_name) if self.uses_layer else None
        geometry = models.receptive_field(model, layer) if layer else None
        maps, chosen = [], []
        step = max(1, int(batch_size))
        for start in range(0, len(batch.x), step):
            part = Batch(model, batch.x[start : start + step], batch.preprocessing)
            raw, cls = self.raw_maps(part, ids[start : start + step], layer, **options)
            raw = np.nan_to_num(np.asarray(raw, dtype=np.float64))
            if self.relu:  # on the coarse map, as in the Grad-CAM paper, before upsampling
                raw = np.maximum(raw, 0.0)
            maps.append(normalize(upsample(raw, batch.size, geometry), relu=self.relu))
            chosen.append(np.asarray(cls, dtype=np.int64))
        return Attribution(np.concatenate(maps), np.concatenate(chosen), self.key, layer)

    def resolve_layer(self, model: models.ModelLike, layer_name: str | None) -> str:
        """The CAM layer: ``layer_name`` checked, or the default one."""
        if layer_name is None:
            return models.default_cam_layer(model)
        info = models.layer_info(model, layer_name)
        if not info.is_spatial:
            raise InputError(
                f"{self.label} needs a layer with 2-D feature maps (like a convolution); "
                f"{layer_name!r} outputs shape {info.output_shape}."
            )
        return layer_name

    def raw_maps(
        self, batch: Batch, ids: np.ndarray, layer_name: str | None, **options
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised maps for one chunk.

        Args:
            batch: the chunk's inputs.
            ids: (n,) int32 class per image, -1 for top-1.
            layer_name: the CAM layer, or ``None``.
            **options: method-specific options.

        Returns:
            ``(maps (n, h', w') float, chosen classes (n,) int)``; maps of any size (they are
            upsampled to the input size), higher = more important, negatives dropped.
        """
        raise NotImplementedError


REGISTRY: Registry[AttributionMethod] = Registry("method")
"""Every attribution method, in the order pages list them."""


def register(method: AttributionMethod | type[AttributionMethod]) -> AttributionMethod:
    """Add a method (an instance, or a class whose fields all have defaults) to the registry.

    Returns:
        The method given, so ``register`` works as a class decorator too.
    """
    instance = method() if isinstance(method, type) else method
    if not instance.key:
        raise ValueError("An attribution method needs a non-empty key.")
    REGISTRY.register(instance)
    return method


class _MethodsByKey(Mapping[str, AttributionMethod]):
    """Read-only ``{key: method}`` view of :data:`REGISTRY`, in registration order."""

    def __getitem__(self, key: str) -> AttributionMethod:
        if key not in REGISTRY:
            raise KeyError(key)
        return REGISTRY.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(REGISTRY.keys())

    def __len__(self) -> int:
        return len(REGISTRY)


METHODS: Mapping[str, AttributionMethod] = _MethodsByKey()
"""The registered methods by key (``METHODS["gradcam"].title``), a view of :data:`REGISTRY`."""


def attribute(
    method: str,
    model: models.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
    **options,
) -> Attribution:
    """Run the method registered under ``method`` (see :class:`AttributionMethod`).

    Returns:
        :class:`Attribution` (heatmaps, classes explained, method, layer).

    Raises:
        InputError: unknown method (the message lists the choices), or bad input.
    """
    return REGISTRY.get(method)(model, images, class_index, layer_name, **options)
