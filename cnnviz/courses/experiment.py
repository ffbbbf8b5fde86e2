"""What a course experiment is: an :class:`Experiment` entry, its figures, and its counts.

An experiment is plain data: the page it runs on, the dataset and network it uses, the
training settings (``TrainingConfig`` keyword arguments), the transfer settings where it
uses a pretrained base (``TransferConfig`` keyword arguments, kept as a plain mapping), and
the figures the course printed (:class:`Figure`). :func:`training_config` turns the settings
into a ``TrainingConfig``; :func:`counts` and :func:`count_params` build the network without
any weight file and count its parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry

#: The five courses, by key: the name a teacher knows them by.
COURSES = {
    "tensorflow": "TensorFlow's CNN course notes",
    "vanschoren": "Vanschoren's lecture on convolutional neural networks",
    "learnopencv": "LearnOpenCV's Keras series",
    "datacamp": "DataCamp's Fashion-MNIST CNN tutorial",
    "flowers": "A Flowers transfer-learning notebook",
}

#: The dataset of an experiment that trains on the course's own archive of class folders.
ZIP = "zip"
#: The network of an experiment that trains the course's denoising autoencoder.
AUTOENCODER = "autoencoder"

#: What a printed figure can be, with the words the page shows.
FIGURES = {
    "params_total": "Total params",
    "params_trainable": "Trainable params",
    "params_non_trainable": "Non-trainable params",
    "accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "test_accuracy": "test accuracy",
    "loss": "training loss",
    "val_loss": "validation loss",
    "test_loss": "test loss",
}


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Figure:
    """One number the course printed.

    Attributes:
        name: one of :data:`FIGURES`.
        value: the number as printed (a count, or an accuracy / loss in 0..1 units).
        epoch: the epoch it was printed after (None for counts and final evaluations).
    """

    name: str
    value: float
    epoch: int | None = None

    @property
    def words(self) -> str:
        """``"validation loss 0.1171 (epoch 25)"`` or ``"Total params 93,322"``."""
        if self.name.startswith("params_"):
            return f"{FIGURES[self.name]} {int(self.value):,}"
        text = f"{FIGURES[self.name]} {self.value:.4g}"
        return text if self.epoch is None else f"{text} (epoch {self.epoch})"


@dataclass(frozen=True, kw_only=True)
class Experiment(Entry):
    """One experiment of a course, as the course runs it.

    Attributes:
        key: short name for links (``?course=<key>``) and :func:`get`.
        title: the course's section title.
        help: what the experiment shows, in one sentence.
        course: a key of :data:`COURSES`.
        page: the key of the page it runs on (``cnnviz.ui.common.navigation.PAGES``).
        source: where in the course text it is, and which figures it printed (or that no
            figure is recorded).
        dataset: a ``cnnviz.datasets`` key, :data:`ZIP` for the course's own archive, or
            None (the page needs no dataset).
        dataset_options: options of ``datasets.load`` (the dataset's pickers).
        archive: for :data:`ZIP`, the course's archive (what to upload).
        network: an architecture key (``cnnviz.architectures``), :data:`AUTOENCODER`, or
            None (a pretrained network, or none).
        network_options: architecture hyperparameters (``activation``...); the training's
            ``dropout`` applies as well.
        input_shape, num_classes: the images and classes the course's network was built
            for (None: the architecture's own).
        training: ``TrainingConfig`` keyword arguments (``augmentation`` a mapping of
            ``Augmentation`` keyword arguments).
        transfer: ``TransferConfig`` keyword arguments, or None when no pretrained base.
        figures: what the course printed.
    """

    course: str
    page: str
    source: str
    dataset: str | None = None
    dataset_options: Mapping[str, Any] = field(default_factory=_frozen)
    archive: str = ""
    network: str | None = None
    network_options: Mapping[str, Any] = field(default_factory=_frozen)
    input_shape: tuple[int, int, int] | None = None
    num_classes: int | None = None
    training: Mapping[str, Any] = field(default_factory=_frozen)
    transfer: Mapping[str, Any] | None = None
    figures: tuple[Figure, ...] = ()

    def __post_init__(self) -> None:
        if self.course not in COURSES:
            raise ValueError(f"Experiment {self.key!r}: unknown course {self.course!r}.")
        for name in ("dataset_options", "network_options", "training"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        if self.transfer is not None:
            object.__setattr__(self, "transfer", _frozen(self.transfer))
        for figure in self.figures:
            if figure.name not in FIGURES:
                raise ValueError(f"Experiment {self.key!r}: unknown figure {figure.name!r}.")

    @property
    def course_title(self) -> str:
        """The course's name."""
        return COURSES[self.course]

    def printed_params(self) -> dict[str, int]:
        """Printed counts by ``total`` / ``trainable`` / ``non_trainable`` (those printed)."""
        return {
            f.name.removeprefix("params_"): int(f.value)
            for f in self.figures
            if f.name.startswith("params_")
        }

    def printed_results(self) -> tuple[Figure, ...]:
        """The accuracies and losses the course printed."""
        return tuple(f for f in self.figures if not f.name.startswith("params_"))


REGISTRY: Registry[Experiment] = Registry("course experiment")


def register(experiment: Experiment) -> Experiment:
    """Add an experiment (one module per course calls this)."""
    return REGISTRY.register(experiment)


def available(course: str | None = None, page: str | None = None) -> list[Experiment]:
    """Every experiment (of one course, or for one page), in the courses' order."""
    return REGISTRY.available(
        lambda e: (course is None or e.course == course) and (page is None or e.page == page)
    )


def get(key: str) -> Experiment:
    """The experiment named ``key``; an ``InputError`` listing the choices otherwise."""
    return REGISTRY.get(key)


def training_config(experiment: Experiment, run_kind: bool = True):
    """The experiment's training settings as a ``cnnviz.training.TrainingConfig``.

    A scratch network's config names its architecture; the autoencoder's carries the
    course's ``AutoencoderConfig``; a transfer experiment's its ``TransferConfig``
    (``run_kind=False`` leaves the run kind's settings out: the training settings only).

    Raises:
        InputError: the settings are not valid, or (transfer) ``TransferConfig`` does not
            take the course's fields.
    """
    from cnnviz import training

    settings = dict(experiment.training)
    augmentation = training.Augmentation(**dict(settings.pop("augmentation", {})))
    if not run_kind:
        pass
    elif experiment.network == AUTOENCODER:
        from cnnviz import autoencoder

        settings["autoencoder"] = autoencoder.AutoencoderConfig()
    elif experiment.transfer is not None:
        settings["transfer"] = transfer_config(experiment)
    elif experiment.network is not None:
        settings["architecture"] = experiment.network
    config = training.TrainingConfig(augmentation=augmentation, **settings)
    config.validate()
    return config


def transfer_config(experiment: Experiment):
    """The experiment's ``cnnviz.transfer.TransferConfig``.

    Raises:
        InputError: not a transfer experiment, or ``TransferConfig`` lacks one of the
            course's fields (``input_size``, ``cut_layer``...).
    """
    from cnnviz import transfer

    if experiment.transfer is None:
        raise InputError(f"The experiment {experiment.key!r} uses no pretrained base.")
    try:
        return transfer.TransferConfig(**dict(experiment.transfer))
    except TypeError as err:
        raise InputError(
            f"The experiment {experiment.key!r} needs TransferConfig fields this version "
            f"does not have ({err}); its settings are {dict(experiment.transfer)}."
        ) from None


@dataclass(frozen=True)
class Counts:
    """Parameters of an experiment's network: ``total = trainable + non_trainable``."""

    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        """Every parameter."""
        return self.trainable + self.non_trainable


def _weights(model) -> Counts:
    import numpy as np

    def size(weights) -> int:
        return int(sum(int(np.prod(w.shape)) for w in weights))

    return Counts(size(model.trainable_weights), size(model.non_trainable_weights))


def counts(experiment: Experiment) -> Counts:
    """Build the experiment's network without any weight file and count its parameters.

    Scratch networks come from ``cnnviz.architectures`` (at the course's input and classes,
    with its dropout and options), the autoencoder from ``autoencoder.build_model``, and a
    transfer network's counts from ``transfer.describe``.

    Raises:
        InputError: the experiment has no network of its own (a page that only looks), or a
            transfer experiment this version cannot describe.
    """
    if experiment.transfer is not None:
        return _transfer_counts(experiment)
    if experiment.network is None:
        raise InputError(
            f"The experiment {experiment.key!r} builds no network of its own "
            f"(it runs on the {experiment.page} page)."
        )
    if experiment.network == AUTOENCODER:
        from cnnviz import autoencoder

        return _weights(autoencoder.build_model(experiment.input_shape or (28, 28, 1)))
    from cnnviz import architectures

    preset = architectures.preset(experiment.network)
    options = dict(experiment.network_options)
    if experiment.training.get("dropout") is not None:
        options["dropout"] = experiment.training["dropout"]
    model = architectures.build(
        experiment.network,
        experiment.input_shape or preset.input_shape,
        experiment.num_classes or preset.num_classes,
        **options,
    )
    return _weights(model)


def _transfer_counts(experiment: Experiment) -> Counts:
    return _described_counts(transfer_config(experiment), experiment.num_classes or 2)


# VGG16 and InceptionV3 take seconds to build: each distinct config is described once.
@functools.lru_cache(maxsize=32)
def _described_counts(config, num_classes: int) -> Counts:
    from cnnviz import transfer

    plan = transfer.describe(config, num_classes)
    return Counts(int(plan.trainable), int(plan.non_trainable))


def count_params(experiment: Experiment) -> int:
    """The total parameter count of the experiment's network, built without weight files."""
    return counts(experiment).total
