"""Run kinds: what a training job trains, as one protocol.

A :class:`RunKind` (classifier, transfer learning, denoising autoencoder...) says how to
build the model, how pixels reach it, and starts a :class:`KindRun` for each job: the
model ``fit`` trains, the inputs and targets it gets, the evaluation, and the metadata
stored with the model. :class:`~cnnviz.training.TrainingJob` runs any kind through this
interface and never asks which one it is.

A kind other than the classifier has its own settings, a small frozen dataclass
subclassing :class:`RunSettings` in the kind's own package (``cnnviz.transfer``,
``cnnviz.autoencoder``); it rides on :class:`~cnnviz.training.TrainingConfig` under the
field named like the kind (``TrainingConfig(transfer=TransferConfig(...))``), and
``RUN_KINDS.get(settings.kind)`` finds its kind.

Kinds register themselves in :data:`RUN_KINDS` when their package is imported. Training
never imports those packages: the one module that lists them all is :data:`WIRING`
(``cnnviz.runkinds``, above training and the kinds), which the registry imports by name the
first time a lookup misses or every kind is listed. So a stored transfer model's settings
are found again even by a script that never imported ``cnnviz.transfer``.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing, unit
from cnnviz.registry import Entry, Registry

if TYPE_CHECKING:
    import keras

# A cnnviz.training.TrainingConfig: its module imports this one, so it is not imported here.
_TrainingConfig = Any

WIRING = "cnnviz.runkinds"
"""The module that imports every package providing a run kind (see the module docstring)."""
CLASSIFIER = "classifier"
"""Key of the default kind: a network trained from scratch to classify images."""


class RunSettings:
    """Base of a run kind's own settings (subclassed by a frozen dataclass).

    Attributes:
        kind: key of the :class:`RunKind` these settings belong to; also the name of the
            :class:`~cnnviz.training.TrainingConfig` field that holds them.
    """

    kind: ClassVar[str] = ""

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting (nothing to check here)."""

    @property
    def architecture_name(self) -> str:
        """What the job calls the model in its default name (``"vgg16 (features)"``)."""
        return self.kind

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> RunSettings:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in dict(data or {}).items() if k in names})


@dataclass(frozen=True)
class RunKind(Entry):
    """One kind of training run (registered in :data:`RUN_KINDS`).

    Subclasses override :meth:`build` and, where they differ from the classifier,
    :meth:`preprocessing` and :meth:`start`.

    Attributes:
        settings_type: the kind's :class:`RunSettings` subclass (None: the classifier,
            which needs none beyond :class:`~cnnviz.training.TrainingConfig`).
        mixed_precision: the model may train in float16 on a GPU (it is rebuilt in float32
            for saving).
        snapshots: the job may keep epoch snapshots of test images (kernels, predictions,
            Grad-CAM) while the model trains in place.
    """

    settings_type: type[RunSettings] | None = None
    mixed_precision: bool = False
    snapshots: bool = False

    def build(self, config: _TrainingConfig, input_shape: tuple, num_classes: int) -> keras.Model:
        """The uncompiled model a config describes (the one that is saved).

        Args:
            config: the training config (with this kind's settings).
            input_shape: (H, W, C) of the dataset images.
            num_classes: classes of the dataset.
        """
        raise NotImplementedError(f"The run kind {self.key!r} cannot build a model.")

    def preprocessing(self, config: _TrainingConfig, channels: int) -> Preprocessing:
        """How the model wants its pixels (default: 0..1, one channel for grayscale data)."""
        return unit(grayscale=int(channels) == 1)

    def start(self, config: _TrainingConfig, model, preprocessing: Preprocessing) -> Any:
        """The per-job part of the kind (a :class:`~cnnviz.training.classifier.KindRun`)."""
        raise NotImplementedError(f"The run kind {self.key!r} cannot train.")

    def continue_model(self, config: _TrainingConfig, store, model_id: str, owner: str | None):
        """A trainable copy of the stored model ``config.continue_from`` names, or None.

        None (the default) lets the job copy a classifier that takes pixels 0..1
        (:func:`~cnnviz.training.build.stored_model_copy`); a kind whose models take other
        inputs returns its own copy, checked against its settings.
        """
        return None


class _RunKinds(Registry[RunKind]):
    """The run-kind registry, completed from :data:`WIRING` when a lookup needs every kind."""

    def __init__(self) -> None:
        super().__init__("run kind")
        self._wired = False
        self._wiring = threading.Lock()

    def _wire(self) -> None:
        # Once per process: import the module that imports every kind's package.
        with self._wiring:
            if self._wired:
                return
            self._wired = True
        try:
            importlib.import_module(WIRING)
        except BaseException:
            self._wired = False  # try again next time; the import error says what failed
            raise

    def get(self, key: str) -> RunKind:
        if key not in self:  # a kind this process has not imported yet
            self._wire()
        return super().get(key)

    def available(self, where: Callable[[RunKind], bool] | None = None) -> list[RunKind]:
        self._wire()
        return super().available(where)

    def keys(self) -> list[str]:
        self._wire()
        return super().keys()

    def __iter__(self):
        self._wire()
        return super().__iter__()

    def __len__(self) -> int:
        self._wire()
        return super().__len__()


RUN_KINDS: Registry[RunKind] = _RunKinds()
"""Every run kind by key (``"classifier"``, ``"transfer"``, ``"autoencoder"``)."""


def settings_of(config: _TrainingConfig) -> RunSettings | None:
    """The kind settings a config carries (None for a plain classifier).

    Raises:
        InputError: settings of two kinds, or settings under another kind's field.
    """
    given = []
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if isinstance(value, RunSettings):
            if value.kind != field.name:
                raise InputError(
                    f"{type(value).__name__} settings belong in {value.kind}=, not {field.name}=."
                )
            given.append(value)
    if len(given) > 1:
        kinds = " and ".join(s.kind for s in given)
        raise InputError(f"A model is trained one way only; this config asks for {kinds}.")
    return given[0] if given else None


def kind_of(config: _TrainingConfig) -> RunKind:
    """The :class:`RunKind` that trains ``config``."""
    settings = settings_of(config)
    return RUN_KINDS.get(CLASSIFIER if settings is None else settings.kind)


def settings_from_dict(key: str, data: dict) -> RunSettings:
    """Settings of the kind ``key`` from their stored dict (the kind found by the registry)."""
    settings_type = RUN_KINDS.get(key).settings_type
    if settings_type is None:
        raise InputError(f"The run kind {key!r} has no settings of its own.")
    return settings_type.from_dict(data)
