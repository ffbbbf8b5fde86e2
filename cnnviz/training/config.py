"""Training settings: what to train and how, and the recommended defaults per dataset."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import keras
import numpy as np

from cnnviz.errors import InputError

DEFAULT_ARCHITECTURE = "mnist_cnn"
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine")
FLIP_MODES = ("none", "horizontal", "vertical", "horizontal_and_vertical")
FIRST_LAYERS = ("random", "gabor", "gabor_frozen")


@dataclass(frozen=True)
class Augmentation:
    """Random changes applied to training batches only (Keras preprocessing layers).

    Attributes:
        flip: one of ``FLIP_MODES``.
        rotation: maximum rotation as a fraction of a full turn, in [0, 0.5] (0.1 = ±36°).
        shift: maximum shift as a fraction of the image height / width, in [0, 0.5].
        zoom: maximum zoom in or out as a fraction, in [0, 0.9].
        contrast: maximum contrast change as a fraction, in [0, 1].
    """

    flip: str = "none"
    rotation: float = 0.0
    shift: float = 0.0
    zoom: float = 0.0
    contrast: float = 0.0

    @property
    def active(self) -> bool:
        """True when at least one augmentation is switched on."""
        return self.flip != "none" or any(
            v > 0 for v in (self.rotation, self.shift, self.zoom, self.contrast)
        )

    def validate(self) -> None:
        """Raise ``InputError`` naming the first value out of range."""
        if self.flip not in FLIP_MODES:
            raise InputError(f"Flip must be one of {', '.join(FLIP_MODES)}; got {self.flip!r}.")
        limits = {"rotation": 0.5, "shift": 0.5, "zoom": 0.9, "contrast": 1.0}
        for name, top in limits.items():
            value = getattr(self, name)
            if not (0.0 <= float(value) <= top):
                raise InputError(f"Augmentation {name} must be between 0 and {top}; got {value}.")

    def layers(self, seed: int | None = None) -> list:
        """The Keras preprocessing layers, working on pixel values in 0..255.

        Args:
            seed: makes the random draws repeatable.

        Returns:
            A list of layers (empty when nothing is switched on).
        """
        self.validate()
        out = []
        if self.flip != "none":
            out.append(keras.layers.RandomFlip(self.flip, seed=seed))
        if self.rotation > 0:
            out.append(keras.layers.RandomRotation(self.rotation, fill_mode="nearest", seed=seed))
        if self.shift > 0:
            out.append(
                keras.layers.RandomTranslation(
                    self.shift, self.shift, fill_mode="nearest", seed=seed
                )
            )
        if self.zoom > 0:
            out.append(keras.layers.RandomZoom(self.zoom, fill_mode="nearest", seed=seed))
        if self.contrast > 0:
            out.append(keras.layers.RandomContrast(self.contrast, value_range=(0, 255), seed=seed))
        return out

    def apply(self, images: np.ndarray, seed: int = 0) -> np.ndarray:
        """Augment a batch once, as training would (for the preview grid).

        Args:
            images: (N, H, W, C) uint8 in 0..255.
            seed: repeatable random draws.

        Returns:
            (N, H, W, C) uint8 augmented copies; the input is not changed.
        """
        images = np.asarray(images)
        layers = self.layers(seed=seed)
        if not layers or len(images) == 0:
            return images.copy()
        x = images.astype(np.float32)
        for layer in layers:
            x = layer(x, training=True)
        return np.clip(np.round(keras.ops.convert_to_numpy(x)), 0, 255).astype(np.uint8)

    @classmethod
    def from_dict(cls, data: dict | None) -> Augmentation:
        """Inverse of ``dataclasses.asdict``."""
        data = dict(data or {})
        return cls(
            flip=str(data.get("flip", "none")),
            **{k: float(data.get(k, 0.0)) for k in ("rotation", "shift", "zoom", "contrast")},
        )


@dataclass
class TrainingConfig:
    """What to train and how.

    Attributes:
        architecture: a preset name from ``cnnviz.architectures.available()`` or a layer
            spec (list of dicts) for ``cnnviz.architectures.build_from_spec``.
        optimizer: ``"adam"``, ``"rmsprop"`` or ``"sgd"`` (SGD uses momentum 0.9).
        learning_rate: step size, > 0.
        schedule: ``"cosine"`` lowers the learning rate smoothly to 5% by the last step
            (steadier final accuracy); ``"constant"`` keeps it.
        batch_size: images per training step, ≥ 1.
        epochs: passes over the training set, ≥ 1.
        validation_split: fraction of the training set held out (stratified) for
            validation when the dataset has no validation set, in [0, 0.5]; 0 = none.
        dropout: None keeps the architecture's dropout rates; a rate in [0, 1) replaces
            them all (and adds one dropout layer before the output if there is none).
        early_stopping: patience in epochs on the validation loss (0 = off); the best
            weights are restored.
        seed: seed for initial weights, the validation split and augmentation.
        augmentation: random changes applied to training batches only.
        mixed_precision: float16 compute with float32 weights; None = automatically on a
            GPU only; True forces it (slow on a CPU). The saved model is always float32.
        first_layer: ``"random"`` (the initialiser's start), ``"gabor"`` (the first
            convolution starts as a bank of Gabor filters and keeps learning) or
            ``"gabor_frozen"`` (the bank stays fixed).
    """

    architecture: str | list = DEFAULT_ARCHITECTURE
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "cosine"
    batch_size: int = 32
    epochs: int = 5
    validation_split: float = 0.1
    dropout: float | None = None
    early_stopping: int = 0
    seed: int = 0
    augmentation: Augmentation = field(default_factory=Augmentation)
    mixed_precision: bool | None = None
    first_layer: str = "random"

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting."""
        if self.optimizer not in OPTIMIZERS:
            raise InputError(
                f"Optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}."
            )
        if not (0 < float(self.learning_rate) <= 10):
            raise InputError(f"Learning rate must be > 0 (e.g. 0.001); got {self.learning_rate}.")
        if self.schedule not in SCHEDULES:
            raise InputError(
                f"Schedule must be one of {', '.join(SCHEDULES)}; got {self.schedule!r}."
            )
        if int(self.batch_size) < 1:
            raise InputError(f"Batch size must be at least 1; got {self.batch_size}.")
        if int(self.epochs) < 1:
            raise InputError(f"Epochs must be at least 1; got {self.epochs}.")
        if not (0 <= float(self.validation_split) <= 0.5):
            raise InputError(
                f"Validation split must be between 0 and 0.5; got {self.validation_split}."
            )
        if self.dropout is not None and not (0 <= float(self.dropout) < 1):
            raise InputError(f"Dropout must be in [0, 1); got {self.dropout}.")
        if int(self.early_stopping) < 0:
            raise InputError(f"Early-stopping patience must be ≥ 0; got {self.early_stopping}.")
        if not isinstance(self.architecture, (str, list, tuple)):
            raise InputError("The architecture must be a preset name or a list of layers.")
        if self.first_layer not in FIRST_LAYERS:
            raise InputError(
                f"First layer must be one of {', '.join(FIRST_LAYERS)}; got {self.first_layer!r}."
            )
        self.augmentation.validate()

    @property
    def architecture_name(self) -> str:
        """The preset name, or ``"custom"`` for a layer spec."""
        return self.architecture if isinstance(self.architecture, str) else "custom"

    def to_dict(self) -> dict:
        """JSON-ready form (stored with the model)."""
        data = asdict(self)
        data["architecture"] = (
            self.architecture if isinstance(self.architecture, str) else list(self.architecture)
        )
        return data


def recommended_config(dataset_name: str) -> TrainingConfig:
    """Defaults tuned so a student can just press Train (see ``bench/training.py``).

    ``shapes`` (32×32, 4,800 images) reaches ~99% test accuracy in 10 epochs with the MNIST
    CNN; ``digits`` (1,438 upscaled images) needs small shifts for ~98%. Each takes under a
    minute on 2 CPU cores.

    Args:
        dataset_name: a ``cnnviz.datasets`` name, or anything else for an uploaded set.
    """
    if dataset_name == "shapes":
        return TrainingConfig(architecture="mnist_cnn", epochs=10, learning_rate=2e-3)
    if dataset_name == "digits":
        return TrainingConfig(
            architecture="mnist_cnn",
            epochs=20,
            learning_rate=2e-3,
            augmentation=Augmentation(shift=0.1),
        )
    if dataset_name == "faces":
        return TrainingConfig(architecture="mnist_cnn", epochs=15, validation_split=0.15)
    if dataset_name in ("mnist", "fashion_mnist"):
        arch = "mnist_cnn" if dataset_name == "mnist" else "fashion_cnn"
        return TrainingConfig(architecture=arch, epochs=3, batch_size=64)
    if dataset_name == "cifar10":
        return TrainingConfig(
            architecture="cifar10_cnn",
            epochs=10,
            batch_size=64,
            augmentation=Augmentation(flip="horizontal", shift=0.1),
        )
    return TrainingConfig(
        architecture="mnist_cnn", epochs=10, augmentation=Augmentation(flip="horizontal")
    )
