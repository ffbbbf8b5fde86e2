"""Training settings: what to train and how, and the recommended defaults per dataset.

The augmentation settings live in :mod:`cnnviz.training.augmentation` and a run kind's own
settings in its package (see :mod:`cnnviz.training.kinds`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from cnnviz.errors import InputError
from cnnviz.training.augmentation import Augmentation
from cnnviz.training.kinds import RunKind, RunSettings, kind_of, settings_from_dict, settings_of

__all__ = [
    "BATCH_SIZES",
    "DEFAULT_ARCHITECTURE",
    "FIRST_LAYERS",
    "LEARNING_RATES",
    "OPTIMIZERS",
    "SCHEDULES",
    "TrainingConfig",
    "recommended_config",
]

DEFAULT_ARCHITECTURE = "mnist_cnn"
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine")
# The choices the pages (and class links) offer, including the courses' own values.
BATCH_SIZES = (8, 16, 20, 32, 64, 100, 128, 200, 256)
LEARNING_RATES = (1e-5, 2e-5, 3e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1)
FIRST_LAYERS = ("random", "gabor", "gabor_frozen")
# Marks the fields that hold a run kind's settings (named like the kind).
_KIND_FIELD = {"run_kind": True}


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
        validate_on_test: validate on the test set (the courses'
            ``fit(..., validation_data=test)``): every training image trains and the
            validation curves are the test set's. Choosing settings or the stopping epoch by
            those curves tunes on the test set, so its score is then no longer an unbiased
            estimate. ``validation_split`` is then not used.
        dropout: None keeps the architecture's dropout rates; a rate in [0, 1) replaces
            them all (and adds one dropout layer before the output if there is none).
        early_stopping: patience in epochs on the validation loss (0 = off); the best
            weights are restored.
        seed: seed for initial weights, the validation split and augmentation.
        augmentation: random changes applied to training batches only.
        mixed_precision: float16 compute with float32 weights; None = automatically on a
            GPU only; True forces it (slow on a CPU). The saved model is always float32.
        transfer: a ``cnnviz.transfer.TransferConfig`` (a :class:`RunSettings` of the
            ``"transfer"`` run kind): train a new head on a pretrained base instead of
            ``architecture`` (None = train ``architecture`` from scratch).
        l2: L2 weight decay: ``kernel_regularizer=l2(l2)`` on every convolution and dense
            layer that sets none of its own in the layer table (0 = off), in [0, 1].
        continue_from: id of a stored model whose weights training starts from (the
            architecture is then that model's); None trains a new model.
        first_layer: ``"random"`` (the initialiser's start), ``"gabor"`` (the first
            convolution starts as a bank of Gabor filters and keeps learning) or
            ``"gabor_frozen"`` (the bank stays fixed).
        autoencoder: a ``cnnviz.autoencoder.AutoencoderConfig`` (the ``"autoencoder"``
            run kind's settings): train the course's denoising autoencoder (images as
            targets) instead of a classifier.
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
    transfer: RunSettings | None = field(default=None, metadata=_KIND_FIELD)
    l2: float = 0.0
    continue_from: str | None = None
    first_layer: str = "random"
    autoencoder: RunSettings | None = field(default=None, metadata=_KIND_FIELD)
    validate_on_test: bool = False

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
        if not (0 <= float(self.l2) <= 1):
            raise InputError(f"L2 weight decay must be between 0 and 1 (e.g. 1e-4); got {self.l2}.")
        if self.first_layer not in FIRST_LAYERS:
            raise InputError(
                f"First layer must be one of {', '.join(FIRST_LAYERS)}; got {self.first_layer!r}."
            )
        self.augmentation.validate()
        settings = settings_of(self)
        if settings is not None:
            settings.validate()

    @property
    def architecture_name(self) -> str:
        """The preset name, ``"custom"`` for a layer spec, ``"<base> (<mode>)"`` for transfer."""
        settings = settings_of(self)
        if settings is not None:
            return settings.architecture_name
        return self.architecture if isinstance(self.architecture, str) else "custom"

    @property
    def run_kind(self) -> RunKind:
        """The run kind that trains this config (see :mod:`cnnviz.training.kinds`)."""
        return kind_of(self)

    def to_dict(self) -> dict:
        """JSON-ready form (stored with the model)."""
        data = asdict(self)
        data["architecture"] = (
            self.architecture if isinstance(self.architecture, str) else list(self.architecture)
        )
        return data

    def summary(self) -> str:
        """The settings a student changes most, in a few words (to tell runs apart).

        Example: ``"lr 0.002 · batch 32 · 10 epochs · constant · L2 0.0001 · augmented"``.
        """
        parts = [
            f"lr {float(self.learning_rate):g}",
            f"batch {int(self.batch_size)}",
            f"{int(self.epochs)} epoch{'s' if int(self.epochs) != 1 else ''}",
        ]
        if self.optimizer != "adam":
            parts.append(self.optimizer)
        if self.schedule != "cosine":
            parts.append(self.schedule)
        if self.dropout is not None:
            parts.append(f"dropout {float(self.dropout):g}")
        if float(self.l2) > 0:
            parts.append(f"L2 {float(self.l2):g}")
        if self.augmentation.active:
            parts.append("augmented")
        if self.validate_on_test:
            parts.append("validated on test")
        return " · ".join(parts)

    @classmethod
    def from_dict(cls, data: dict | None) -> TrainingConfig:
        """Inverse of :meth:`to_dict` (as stored with a model); unknown keys are ignored."""
        data = dict(data or {})
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names and k != "augmentation"}
        for f in fields(cls):  # a run kind's settings, found by the kind's registry
            if f.metadata.get("run_kind") and isinstance(kwargs.get(f.name), dict):
                kwargs[f.name] = settings_from_dict(f.name, kwargs[f.name])
        return cls(augmentation=Augmentation.from_dict(data.get("augmentation")), **kwargs)


def recommended_config(dataset_name: str) -> TrainingConfig:
    """Defaults tuned so a student can just press Train (see ``bench/training.py``).

    ``shapes`` (32×32, 4,800 images) reaches ~99% test accuracy in 10 epochs with the MNIST
    CNN; ``digits`` (1,438 upscaled images) needs small shifts for ~98%. Each takes under a
    minute on 2 CPU cores.

    Each dataset states its settings in its spec (``DatasetSpec.training``).

    Args:
        dataset_name: a ``cnnviz.datasets`` name, or anything else for an uploaded set.
    """
    from cnnviz import datasets

    if dataset_name in datasets.REGISTRY:  # the dataset's own settings, plain data
        fields = dict(datasets.get(dataset_name).training)
        augmentation = Augmentation(**fields.pop("augmentation", {}))
        return TrainingConfig(**fields, augmentation=augmentation)
    return TrainingConfig(
        architecture="mnist_cnn", epochs=10, augmentation=Augmentation(flip="horizontal")
    )
