"""Classic CNN architectures from course material, and an editable layer table.

An architecture is a *spec*: a list of layer rows (plain dicts, so a page can show and edit it
as a table; fields in :mod:`~cnnviz.architectures.rows`), checked by :func:`validate_spec`
with shape arithmetic alone (:mod:`~cnnviz.architectures.shapes`) and turned into a Keras
model by :func:`build_from_spec` (:mod:`~cnnviz.architectures.keras_build`). The presets of
:func:`available` are registry entries (:class:`Preset`, one module per family) whose specs
:func:`build` builds for a dataset's input shape and class count. Models are returned
uncompiled.
"""

from __future__ import annotations

from collections.abc import Sequence

# The families register their presets in import order, the order a page lists them.
# isort: off
from cnnviz.architectures import mnist, photos, explainers, baselines  # noqa: F401

# isort: on
from cnnviz.architectures.hyperparameters import HYPERPARAMETERS, apply_hyperparameters
from cnnviz.architectures.keras_build import build_from_spec, summary_table
from cnnviz.architectures.presets import REGISTRY, Preset, available, preset, preset_spec
from cnnviz.architectures.rows import (
    ACTIVATIONS,
    LAYER_TYPES,
    LEAKY_SLOPE,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_REGULARIZATION,
    PADDINGS,
    describe_layer,
)
from cnnviz.architectures.shapes import (
    check_classes,
    check_input_shape,
    format_shape,
    minimum_input_side,
    spec_summary,
    validate_spec,
)
from cnnviz.errors import InputError

__all__ = [
    "ACTIVATIONS",
    "HYPERPARAMETERS",
    "LAYER_TYPES",
    "LEAKY_SLOPE",
    "MAX_LAYERS",
    "MAX_PARAMS",
    "MAX_REGULARIZATION",
    "PADDINGS",
    "REGISTRY",
    "Preset",
    "apply_hyperparameters",
    "available",
    "build",
    "build_from_spec",
    "describe_layer",
    "minimum_input_side",
    "preset",
    "preset_spec",
    "spec_summary",
    "summary_table",
    "validate_spec",
]


def build(name: str, input_shape: Sequence[int], num_classes: int, **hyperparameters) -> object:
    """Build a preset architecture for a dataset's images and classes.

    Args:
        name: one of :func:`available`.
        input_shape: (H, W, C) of the dataset's images.
        num_classes: number of classes (≥ 2); two classes end in one sigmoid unit, more in
            a softmax.
        **hyperparameters: ``dropout`` (rate in [0, 1), see :func:`apply_hyperparameters`),
            ``batchnorm`` (bool), ``activation`` (str), ``l2`` (float, weight decay),
            ``seed`` (int, weight initialisers).

    Returns:
        An uncompiled ``keras.Model`` named ``name``.

    Raises:
        InputError: unknown preset or hyperparameter, or an input too small for the preset
            (the message says the smallest image size that works).
    """
    p = preset(name)
    unknown = sorted(set(hyperparameters) - set(HYPERPARAMETERS))
    if unknown:
        raise InputError(
            f"Unknown hyperparameter {', '.join(unknown)}; the architectures accept "
            f"{list(HYPERPARAMETERS)}."
        )
    seed = hyperparameters.pop("seed", None)
    spec = apply_hyperparameters(p.spec, **hyperparameters)
    shape = check_input_shape(input_shape)
    classes = check_classes(num_classes)
    problems = validate_spec(spec, shape, classes)
    if problems:
        smallest = minimum_input_side(spec, shape[2])
        hint = ""
        if smallest is not None and smallest > min(shape[:2]):
            hint = f" It needs images of at least {smallest}×{smallest} pixels."
        raise InputError(
            f"The {p.title} does not fit {format_shape(shape)} images: {problems[0]}{hint} "
            f"(It was designed for {format_shape(p.input_shape)}.) Pick another architecture or "
            "dataset."
        )
    return build_from_spec(spec, shape, classes, name=name, seed=seed)
