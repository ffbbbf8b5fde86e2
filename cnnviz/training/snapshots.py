"""Epoch snapshots: how the first layer's kernels and the Grad-CAM maps form while training.

:class:`EpochSnapshots` is a Keras callback that, before training and after every epoch,
records for a fixed probe set of 8 test images:

* the first convolution layer's kernels, ``(kh, kw, C_in, F)`` (at most 64 filters);
* the model's class probabilities, ``(8, K)``;
* Grad-CAM maps of the predicted class, ``(8, h, w)`` quantised to 0..255, with the longer
  side at most :data:`CAM_SIDE`.

All of it takes a few hundred kilobytes for a small model and is stored beside the model
(:meth:`cnnviz.store.ModelStore.save_snapshots`). The cost is one forward and one gradient
pass over 8 images per epoch.
"""

from __future__ import annotations

import cv2
import keras
import numpy as np

from cnnviz import models
from cnnviz.models.preprocessing import Preprocessing, unit

PROBE_SIZE = 8
CAM_SIDE = 64
MAX_KERNELS = 64


def probe_indices(labels: np.ndarray, n: int = PROBE_SIZE) -> np.ndarray:
    """A fixed probe set: the first test image of each class in turn, ``n`` in all.

    Args:
        labels: (N,) int test labels.
        n: probe images wanted (fewer when the test set is smaller).

    Returns:
        (min(n, N),) int indices into the test set, sorted by class round.
    """
    labels = np.asarray(labels).reshape(-1)
    per_class = [list(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    out: list[int] = []
    depth = 0
    while len(out) < min(n, len(labels)):
        for idx in per_class:
            if depth < len(idx) and len(out) < n:
                out.append(int(idx[depth]))
        depth += 1
    return np.asarray(out, dtype=np.int64)


def cam_for_storage(heatmaps: np.ndarray) -> np.ndarray:
    """Grad-CAM maps as stored: longer side at most :data:`CAM_SIDE`, uint8 0..255.

    Args:
        heatmaps: (N, h, w) float in [0, 1].

    Returns:
        (N, h', w') uint8.
    """
    heatmaps = np.asarray(heatmaps, dtype=np.float32)
    h, w = heatmaps.shape[1:3]
    scale = min(1.0, CAM_SIDE / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        heatmaps = np.stack([cv2.resize(m, size, interpolation=cv2.INTER_AREA) for m in heatmaps])
    return np.round(np.clip(heatmaps, 0.0, 1.0) * 255).astype(np.uint8)


def first_conv_layer(model) -> str | None:
    """Name of the first convolution layer, or None (a dense-only network)."""
    layers = models.conv_layers(model)
    return layers[0] if layers else None


class EpochSnapshots(keras.callbacks.Callback):
    """Record kernels, predictions and Grad-CAM maps of a probe set at every epoch.

    Args:
        model: the classifier being trained (not the training wrapper): it takes
            preprocessed input (``preprocessing`` of uint8 pixels).
        probe_images: (P, H, W, C) uint8 test images (C = 1 or 3).
        probe_labels: (P,) their true classes.
        preprocessing: pixels → model input (default 0..1).

    After training, :meth:`arrays` gives what to store.
    """

    def __init__(
        self,
        model,
        probe_images: np.ndarray,
        probe_labels: np.ndarray,
        preprocessing: Preprocessing | None = None,
    ):
        super().__init__()
        self.classifier = model
        self.probe_images = np.asarray(probe_images, dtype=np.uint8)
        self.probe_labels = np.asarray(probe_labels, dtype=np.int64)
        pre = preprocessing or unit(grayscale=self.probe_images.shape[-1] == 1)
        rgb = self.probe_images
        if rgb.shape[-1] == 1:
            rgb = np.repeat(rgb, 3, axis=-1)
        self._x = pre.apply(rgb)
        self.kernel_layer = first_conv_layer(model)
        self.cam_layer = models.default_cam_layer(model) if self.kernel_layer else None
        self.epochs: list[int] = []
        self.kernels: list[np.ndarray] = []
        self.probabilities: list[np.ndarray] = []
        self.cams: list[np.ndarray] = []

    def _snapshot(self, epoch: int) -> None:
        from cnnviz import attribution

        self.epochs.append(int(epoch))
        if self.kernel_layer is not None:
            kernel = self.classifier.get_layer(self.kernel_layer).get_weights()[0]
            self.kernels.append(np.asarray(kernel[..., :MAX_KERNELS], dtype=np.float16))
        probs = np.asarray(self.classifier.predict_on_batch(self._x), dtype=np.float32)
        if probs.shape[-1] == 1:
            probs = np.concatenate([1 - probs, probs], axis=-1)
        self.probabilities.append(probs.astype(np.float16))
        if self.cam_layer is not None:
            maps = attribution.grad_cam(self.classifier, self._x, layer_name=self.cam_layer)
            self.cams.append(cam_for_storage(maps))

    def on_train_begin(self, logs=None):
        """Snapshot the random start (epoch 0)."""
        if not self.epochs:
            self._snapshot(0)  # the random start

    def on_epoch_end(self, epoch, logs=None):
        """Snapshot after each epoch (1-based)."""
        self._snapshot(epoch + 1)

    def arrays(self) -> dict[str, np.ndarray]:
        """What to store, as arrays for ``numpy.savez``.

        Returns:
            ``epochs`` (E,), ``probe_images`` (P, H, W, C) uint8, ``probe_labels`` (P,),
            ``probabilities`` (E, P, K) float16, and where the model has a convolution
            ``kernels`` (E, kh, kw, C_in, F) float16 and ``cams`` (E, P, h, w) uint8,
            with ``kernel_layer`` and ``cam_layer`` naming the layers.
        """
        out = {
            "epochs": np.asarray(self.epochs, dtype=np.int32),
            "probe_images": self.probe_images,
            "probe_labels": self.probe_labels,
            "probabilities": np.stack(self.probabilities),
        }
        if self.kernels:
            out["kernels"] = np.stack(self.kernels)
            out["kernel_layer"] = np.asarray(self.kernel_layer)
        if self.cams:
            out["cams"] = np.stack(self.cams)
            out["cam_layer"] = np.asarray(self.cam_layer)
        return out
