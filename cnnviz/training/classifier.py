"""The default run kind, a classifier trained from scratch, and the per-job base of every kind.

:class:`KindRun` is what one :class:`~cnnviz.training.TrainingJob` does for its kind, in
this order: :meth:`~KindRun.fit_model` (the Keras model ``fit`` trains),
:meth:`~KindRun.compile`, :meth:`~KindRun.fit_inputs` (inputs and targets), then after
``fit`` :meth:`~KindRun.evaluate`, :meth:`~KindRun.summary` and :meth:`~KindRun.metadata`.
Its methods are the classifier's; another kind overrides only what it does differently
(``cnnviz.transfer`` trains a head on features, ``cnnviz.autoencoder`` uses the images as
targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cnnviz.errors import InputError
from cnnviz.models.evaluation import Evaluation, evaluate
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.training.build import build_classifier, output_units, training_wrapper
from cnnviz.training.kinds import CLASSIFIER, RUN_KINDS, RunKind

if TYPE_CHECKING:
    import keras

    from cnnviz.training.config import TrainingConfig


class KindRun:
    """One job's run of a kind (the classifier's way; other kinds subclass it).

    Args:
        config: the job's training config.
        model: the model being trained (the one that is evaluated and saved).
        preprocessing: how ``model`` wants its pixels.

    Attributes:
        model: as given; the job puts the float32 copy here after mixed precision.
    """

    def __init__(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> None:
        self.config = config
        self.model = model
        self.preprocessing = preprocessing

    def fit_model(self, input_shape: tuple) -> keras.Model:
        """The model ``fit`` trains: uint8 pixels → augmentation → preprocessing → model.

        Args:
            input_shape: (H, W, C) of the dataset images.
        """
        cfg = self.config
        return training_wrapper(
            self.model, input_shape, cfg.augmentation, int(cfg.seed), self.preprocessing
        )

    def compile(self, fit_model: keras.Model, optimizer, num_classes: int) -> None:
        """Compile ``fit_model`` with the classification loss and accuracy.

        Raises:
            InputError: the model's outputs do not fit the dataset's classes.
        """
        units = output_units(self.model)
        if units == 1 and num_classes != 2:
            raise InputError(
                f"A single-output model can only learn 2 classes; this dataset has {num_classes}."
            )
        if units not in (1, num_classes):
            raise InputError(
                f"The model has {units} outputs but the dataset has {num_classes} classes."
            )
        fit_model.compile(
            optimizer=optimizer,
            loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )

    def fit_inputs(
        self,
        job,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_val: np.ndarray | None,
        y_val: np.ndarray | None,
    ) -> tuple[Any, Any, Any, Any]:
        """What ``fit`` gets: (inputs, targets, validation inputs, validation targets).

        Args:
            job: the running job (its ``emit``, ``stop_requested``, ``config``, ``dataset``).
            x_train: (N, H, W, C) uint8 training images.
            y_train: (N,) int labels.
            x_val: validation images like ``x_train``, or None.
            y_val: their labels, or None.
        """
        return x_train, y_train, x_val, y_val

    def evaluate(self, job) -> Evaluation:
        """Test-set evaluation of :attr:`model` (``.loss``, ``.accuracy``, ``.metrics()``)."""
        ds = job.dataset
        return evaluate(
            self.model, ds.x_test, ds.y_test, ds.class_names, preprocessing=self.preprocessing
        )

    def summary(self, evaluation, seconds: float) -> str:
        """A few words on the result for the job's last event."""
        return f"test accuracy {evaluation.accuracy:.1%} after {seconds:.0f} s"

    def metadata(self) -> dict:
        """What the store keeps beyond the job's own metadata (the kind's settings...)."""
        return {}


@dataclass(frozen=True)
class ClassifierKind(RunKind):
    """A network from ``config.architecture`` (a preset or a layer table), from scratch."""

    def build(self, config: TrainingConfig, input_shape: tuple, num_classes: int):
        """The network of ``config.architecture`` (see :func:`build_classifier`)."""
        return build_classifier(config, input_shape, num_classes)

    def start(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> KindRun:
        """The classifier's run: :class:`KindRun` as it is."""
        return KindRun(config, model, preprocessing)


CLASSIFIER_KIND = RUN_KINDS.register(
    ClassifierKind(
        key=CLASSIFIER,
        title="Image classifier",
        help="A network from the layer table (or a preset) learns the classes from scratch.",
        mixed_precision=True,
        snapshots=True,
    )
)
