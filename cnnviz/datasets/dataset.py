"""A dataset in memory: images and labels split into train / (validation) / test."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.errors import InputError

_SPLITS = ("train", "val", "test")


@dataclass
class Dataset:
    """Images and labels split into train / (validation) / test.

    Attributes:
        name: short name (``"shapes"``, ``"mnist"``, or the archive's name).
        x_train: (N, H, W, C) uint8 in 0..255, C = 1 (grayscale) or 3 (RGB).
        y_train: (N,) int64 class indices into ``class_names``.
        x_test: (M, H, W, C) uint8.
        y_test: (M,) int64.
        class_names: one name per class.
        x_val: (V, H, W, C) uint8, an explicit validation split, or None.
        y_val: (V,) int64, or None.
        boxes_test: (M, 4) int64 ``(x0, y0, x1, y1)`` object boxes (``shapes`` only): the
            object covers ``image[y0:y1, x0:x1]``.
        boxes_train: (N, 4) int64, like ``boxes_test``.
        options: the options it was loaded with: ``load(name, **options)`` loads it again.
        notes: things worth telling the student (skipped files, lopsided classes...).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    boxes_test: np.ndarray | None = None
    boxes_train: np.ndarray | None = None
    options: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of one image."""
        h, w, c = self.x_train.shape[1:]
        return int(h), int(w), int(c)

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def split(self, split: str = "train") -> tuple[np.ndarray | None, np.ndarray | None]:
        """Images and labels of ``"train"``, ``"val"`` or ``"test"`` (None, None if absent)."""
        if split not in _SPLITS:
            raise InputError(f"Unknown split {split!r}; choose one of {list(_SPLITS)}.")
        return getattr(self, f"x_{split}"), getattr(self, f"y_{split}")

    def class_counts(self, split: str = "train") -> dict[str, int]:
        """Images per class in a split, in class order (an absent split counts zero)."""
        _, y = self.split(split)
        counts = (
            np.zeros(self.num_classes, np.int64)
            if y is None
            else np.bincount(y, minlength=self.num_classes)
        )
        return {name: int(c) for name, c in zip(self.class_names, counts, strict=True)}

    def sample_indices(
        self, per_class: int = 8, split: str = "train", seed: int = 0
    ) -> dict[str, np.ndarray]:
        """Indices of up to ``per_class`` random images of each class, for a sample grid."""
        _, y = self.split(split)
        rng = np.random.default_rng(seed)
        out = {}
        for k, name in enumerate(self.class_names):
            idx = np.flatnonzero(y == k) if y is not None else np.zeros(0, np.int64)
            take = min(int(per_class), len(idx))
            out[name] = np.sort(rng.choice(idx, take, replace=False)) if take else idx[:0]
        return out


def to_rgb(x: np.ndarray) -> np.ndarray:
    """Images for display: grayscale repeated to three channels.

    Args:
        x: (N, H, W, C) with C in {1, 3}, or (N, H, W) grayscale; uint8 0..255, or floats in
            0..1 (scaled by 255).

    Returns:
        (N, H, W, 3) uint8, a new array.
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        x = np.clip(np.round(x.astype(np.float32) * 255), 0, 255).astype(np.uint8)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise InputError(f"Expected images (N, H, W, 1 or 3), got shape {x.shape}.")
    return np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x.copy()
