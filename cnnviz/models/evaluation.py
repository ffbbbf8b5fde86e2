"""How well does a trained classifier do on the test set, and where does it fail?

Predictions in batches, scikit-learn's classification report, the confusion matrix, and the
indices of correct and incorrect predictions ordered by confidence, for the Train page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from cnnviz.errors import InputError
from cnnviz.models.predictions import probabilities as _probabilities
from cnnviz.models.preprocessing import Preprocessing, unit

_EPS = 1e-7


def to_model_input(
    images: np.ndarray,
    preprocessing: Preprocessing | None = None,
    input_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Turn dataset images into model input: channels matched, resized, preprocessed.

    Args:
        images: (N, H, W, C) uint8 in 0..255, C = 1 or 3 (the dataset's channels).
        preprocessing: how the model wants its pixels; default ``preprocessing.unit`` with
            the images' channels (what cnnviz's own models use).
        input_size: (h, w) the model takes; None keeps (H, W).

    Returns:
        (N, h, w, preprocessing.channels) float32.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise InputError(f"Expected a batch of images (N, H, W, C), got shape {images.shape}.")
    if preprocessing is None:
        preprocessing = unit(grayscale=images.shape[-1] == 1)
    if images.shape[-1] == 1 and preprocessing.channels == 3:
        images = np.repeat(images, 3, axis=-1)  # grayscale repeated to RGB
    if input_size is not None and tuple(images.shape[1:3]) != tuple(input_size):
        images = _resize(images, tuple(int(v) for v in input_size))
    return preprocessing.apply(images).astype(np.float32, copy=False)


def _resize(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(N, H, W, C) uint8 → (N, h, w, C), as ``ImageModel.resize`` does it (area when shrinking)."""
    h, w = size
    interp = cv2.INTER_AREA if images.shape[1] > h or images.shape[2] > w else cv2.INTER_LINEAR
    out = np.stack([cv2.resize(img, (w, h), interpolation=interp) for img in images])
    return out.reshape(len(images), h, w, images.shape[-1])


def predict_proba(
    model,
    images: np.ndarray,
    batch_size: int = 256,
    preprocessing: Preprocessing | None = None,
    input_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Class probabilities of a softmax (or single sigmoid unit) classifier, in batches.

    Args:
        model: a Keras model taking (N, h, w, C) float32 input made by ``preprocessing``.
        images: (N, H, W, C) uint8 in 0..255.
        batch_size: images per forward pass.
        preprocessing: see :func:`to_model_input` (default: pixels scaled to 0..1).
        input_size: (h, w) of the model input; None keeps the images' size.

    Returns:
        (N, K) float32 probabilities, rows summing to 1; K = 2 for a single sigmoid unit.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise InputError(f"Expected a batch of images (N, H, W, C), got shape {images.shape}.")
    h, w = input_size or images.shape[1:3]
    # Preprocess a few batches at a time, at most ~64 MB of float32 input at once.
    per_image = max(1, int(h) * int(w) * 3 * 4)
    step = max(1, min(max(1, int(batch_size)) * 8, (64 << 20) // per_image))
    chunks = []
    for start in range(0, len(images), step):
        x = to_model_input(images[start : start + step], preprocessing, input_size)
        chunks.append(np.asarray(model.predict(x, batch_size=batch_size, verbose=0)))
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    # The model ends in softmax or one sigmoid unit: its outputs are probabilities already.
    return _probabilities(np.concatenate(chunks), logits=False)


@dataclass
class Evaluation:
    """Test-set predictions of one model, with the summaries the Train page shows.

    Attributes:
        y_true: (N,) int64 true class indices.
        probabilities: (N, K) float32 predicted probabilities, rows summing to 1.
        class_names: K class names.
    """

    y_true: np.ndarray
    probabilities: np.ndarray
    class_names: list[str]

    def __post_init__(self) -> None:
        self.y_true = np.asarray(self.y_true, dtype=np.int64).reshape(-1)
        self.probabilities = np.asarray(self.probabilities, dtype=np.float32)
        if self.probabilities.ndim != 2 or len(self.probabilities) != len(self.y_true):
            raise InputError(
                f"Expected probabilities (N, K) for N={len(self.y_true)} labels, "
                f"got shape {self.probabilities.shape}."
            )
        if self.probabilities.shape[1] != len(self.class_names):
            raise InputError(
                f"The model has {self.probabilities.shape[1]} outputs but the dataset has "
                f"{len(self.class_names)} classes."
            )

    @property
    def num_classes(self) -> int:
        """Number of classes K."""
        return len(self.class_names)

    @property
    def y_pred(self) -> np.ndarray:
        """(N,) int64 predicted class: the most probable one."""
        return self.probabilities.argmax(axis=1).astype(np.int64)

    @property
    def confidence(self) -> np.ndarray:
        """(N,) float32 probability of the predicted class, in [0, 1]."""
        return self.probabilities.max(axis=1)

    @property
    def correct(self) -> np.ndarray:
        """(N,) bool, True where the prediction equals the true class."""
        return self.y_pred == self.y_true

    @property
    def accuracy(self) -> float:
        """Fraction of correct predictions in [0, 1] (0 for an empty test set)."""
        return float(self.correct.mean()) if len(self.y_true) else 0.0

    @property
    def loss(self) -> float:
        """Mean cross-entropy of the true class, −log p(true), probabilities clipped at 1e-7."""
        if not len(self.y_true):
            return 0.0
        p_true = self.probabilities[np.arange(len(self.y_true)), self.y_true]
        return float(-np.log(np.clip(p_true, _EPS, 1.0)).mean())

    def confusion_matrix(self) -> np.ndarray:
        """(K, K) int64 counts: row = true class, column = predicted class."""
        labels = np.arange(self.num_classes)
        return confusion_matrix(self.y_true, self.y_pred, labels=labels).astype(np.int64)

    def report(self) -> dict:
        """scikit-learn's classification report as a dict (per class, accuracy, averages)."""
        return classification_report(
            self.y_true,
            self.y_pred,
            labels=np.arange(self.num_classes),
            target_names=[str(c) for c in self.class_names],
            output_dict=True,
            zero_division=0,
        )

    def report_rows(self) -> list[dict]:
        """The classification report as table rows.

        Returns:
            One dict per class, then "macro avg" and "weighted avg", each with keys
            ``class, precision, recall, f1-score, support``; precision etc. in [0, 1].
        """
        rows = []
        for name, values in self.report().items():
            if name == "accuracy":
                continue
            rows.append(
                {
                    "class": name,
                    "precision": float(values["precision"]),
                    "recall": float(values["recall"]),
                    "f1-score": float(values["f1-score"]),
                    "support": int(values["support"]),
                }
            )
        return rows

    def examples(
        self,
        correct: bool | None = None,
        true_class: int | None = None,
        predicted_class: int | None = None,
        limit: int | None = None,
        most_confident: bool = True,
    ) -> np.ndarray:
        """Indices of test images matching a filter, ordered by confidence.

        Args:
            correct: keep only correct (True) or incorrect (False) predictions; None: both.
            true_class: keep only this true class index.
            predicted_class: keep only this predicted class index.
            limit: at most this many indices.
            most_confident: most confident first (True) or least confident first.

        Returns:
            (M,) int64 indices into the test set.
        """
        mask = np.ones(len(self.y_true), dtype=bool)
        if correct is not None:
            mask &= self.correct == bool(correct)
        if true_class is not None:
            mask &= self.y_true == int(true_class)
        if predicted_class is not None:
            mask &= self.y_pred == int(predicted_class)
        idx = np.flatnonzero(mask)
        conf = self.confidence[idx]
        # Stable sort so ties keep test-set order.
        order = np.argsort(-conf if most_confident else conf, kind="stable")
        idx = idx[order].astype(np.int64)
        return idx if limit is None else idx[: max(0, int(limit))]

    def metrics(self) -> dict:
        """JSON-ready summary: test loss, accuracy and per-class F1."""
        report = self.report()
        return {
            "loss": self.loss,
            "accuracy": self.accuracy,
            "samples": len(self.y_true),
            "macro_f1": float(report["macro avg"]["f1-score"]),
        }


def evaluate(
    model,
    images: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    batch_size: int = 256,
    preprocessing: Preprocessing | None = None,
    input_size: tuple[int, int] | None = None,
) -> Evaluation:
    """Predict the test set and wrap the result for reporting.

    Args:
        model: Keras classifier taking input made by ``preprocessing`` (see
            :func:`to_model_input`; default pixels scaled to 0..1).
        images: (N, H, W, C) uint8 test images.
        labels: (N,) int true class indices.
        class_names: K names.
        batch_size: images per forward pass.
        preprocessing: the model's input preprocessing.
        input_size: (h, w) of the model input; None keeps the images' size.

    Returns:
        The :class:`Evaluation`.
    """
    probabilities = predict_proba(model, images, batch_size, preprocessing, input_size)
    if len(images) == 0:
        probabilities = np.zeros((0, len(class_names)), dtype=np.float32)
    return Evaluation(np.asarray(labels), probabilities, list(class_names))
