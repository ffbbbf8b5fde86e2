"""One shape for every model a page can explore: trained here, uploaded, or pretrained.

Pages and the inspection modules (activations, featureviz, attribution) take an
:class:`ImageModel`, so they treat a student's shapes classifier and an ImageNet network alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from cnnviz.errors import InputError
from cnnviz.models import predictions
from cnnviz.models.preprocessing import Preprocessing


@dataclass
class ImageModel:
    """A Keras image classifier with what is needed to feed it and read its output.

    Attributes:
        name: shown to students.
        model: the Keras model; never mutated (it may be shared by a cache).
        input_size: (height, width) the model expects.
        preprocessing: pixels 0..255 → model input; also says 1 or 3 input channels.
        class_names: one name per output class.
        last_conv_layer: default layer for Grad-CAM (last 4-D output with spatial size > 1).
        outputs_logits: True when the model's output is logits (softmax applied here);
            False when it ends in softmax (or sigmoid, for a single-unit binary output).
        info: anything else worth showing (dataset, parameters, accuracy...).
    """

    name: str
    model: object
    input_size: tuple[int, int]
    preprocessing: Preprocessing
    class_names: list[str]
    last_conv_layer: str | None = None
    outputs_logits: bool = False
    info: dict = field(default_factory=dict)

    def resize(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Resize RGB images to the model's input size, as the model will see them.

        Args:
            images: one (H, W, 3) uint8 image, or a batch / list of them (sizes may differ).

        Returns:
            (N, h, w, 3) uint8, with (h, w) = ``input_size``.
        """
        batch = [images] if isinstance(images, np.ndarray) and images.ndim == 3 else images
        h, w = self.input_size
        out = []
        for img in batch:
            img = np.asarray(img)
            if img.ndim != 3 or img.shape[2] != 3:
                raise InputError(f"Expected an RGB image (H, W, 3), got shape {img.shape}.")
            shrinking = img.shape[0] > h or img.shape[1] > w
            interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
            out.append(cv2.resize(img, (w, h), interpolation=interp))
        return np.stack(out).astype(np.uint8)

    def preprocess(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Resize and preprocess RGB images into a model-ready batch.

        Args:
            images: one (H, W, 3) uint8 image, or a batch / list of them.

        Returns:
            (N, h, w, C) float32 model input.
        """
        return self.preprocessing.apply(self.resize(images))

    def predict_proba(self, images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities.

        Args:
            images: one (H, W, 3) uint8 image, or a batch / list of them.

        Returns:
            (N, len(class_names)) float32, rows summing to 1.
        """
        # predict_on_batch runs a compiled function: 5-20x faster than an eager call on CPU.
        out = np.asarray(self.model.predict_on_batch(self.preprocess(images)), dtype=np.float32)
        return self.probabilities(out)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Turn raw model outputs (N, K) into probabilities (N, classes)."""
        return predictions.probabilities(outputs, logits=self.outputs_logits)

    def top_k(
        self, images: np.ndarray | Sequence[np.ndarray], k: int = 5
    ) -> list[list[tuple[int, str, float]]]:
        """The k most probable classes for each image.

        Returns:
            One list per image of (class index, class name, probability), best first.
        """
        return predictions.top_k(self.predict_proba(images), self.class_names, k)
