"""A loaded catalogue model: an :class:`~cnnviz.models.ImageModel` that outputs logits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cnnviz.models.imagemodel import ImageModel
from cnnviz.pretrained.catalogue import ModelInfo


@dataclass
class PretrainedModel(ImageModel):
    """An ImageNet classifier from the catalogue (logits out, softmax in ``predict_proba``).

    ``predict_proba``, ``probabilities`` and ``top_k`` are :class:`ImageModel`'s, the one
    softmax and top-k of cnnviz (``outputs_logits=True``).

    Attributes (besides :class:`ImageModel`'s):
        spec: its catalogue entry (title, parameter count, published accuracy...).
    """

    spec: ModelInfo | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """Display name, e.g. ``"EfficientNet-Lite0"``."""
        return self.spec.title if self.spec else self.name

    @property
    def params(self) -> int:
        """Number of weights of the Keras model."""
        return int(self.model.count_params())

    @property
    def top1(self) -> float | None:
        """Published ImageNet top-1 accuracy in percent."""
        return self.spec.top1 if self.spec else None

    @property
    def bundled(self) -> bool:
        """Whether the weights ship with cnnviz."""
        return bool(self.spec and self.spec.bundled)

    def logits(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Raw class scores before softmax, from the compiled prediction function.

        Args:
            images: one (H, W, 3) uint8 RGB image, or a batch / list of them.

        Returns:
            (N, 1000) float32 logits.
        """
        return self.logits_of_input(self.preprocess(images))

    def logits_of_input(self, batch: np.ndarray) -> np.ndarray:
        """Logits of an already preprocessed (N, h, w, 3) float32 batch."""
        return np.asarray(self.model.predict_on_batch(batch), dtype=np.float32)
