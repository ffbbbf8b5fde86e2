"""What the page shows before training: the layers, their state and the parameter counts."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.transfer.bases import base_spec
from cnnviz.transfer.config import TransferConfig
from cnnviz.transfer.model import (
    assemble,
    base_input_size,
    base_network,
    cut_base,
    cut_layer_of,
    is_head_layer,
    layer_table,
    output_units,
    parameter_counts,
)


@dataclass
class Plan:
    """What :func:`build_model` would build, counted on a copy with random weights.

    Attributes:
        layers: one row per base layer, input side first: ``layer, type, params,
            trainable`` (as :func:`layer_table`).
        head: one row per head layer, like ``layers``.
        trainable: weights that training changes.
        non_trainable: frozen weights (base, BatchNorm statistics).
        input_size: (h, w) the base takes.
        cut_layer: the layer the head sits on.
    """

    layers: list[dict]
    head: list[dict]
    trainable: int
    non_trainable: int
    input_size: tuple[int, int] = (0, 0)
    cut_layer: str = ""

    @property
    def total(self) -> int:
        """All weights, as ``model.summary()``'s "Total params"."""
        return self.trainable + self.non_trainable

    @property
    def summary(self) -> str:
        """The parameter lines the courses print after ``model.summary()``."""
        return (
            f"Total params: {self.total:,}\n"
            f"Trainable params: {self.trainable:,}\n"
            f"Non-trainable params: {self.non_trainable:,}"
        )


def describe(config: TransferConfig, num_classes: int) -> Plan:
    """The layers, their frozen / trainable state and the parameter counts of a config.

    The network is built with random weights (``BaseSpec.architecture``), so no weight file
    is needed: the counts show before any download. A base registered without an
    architecture is counted on a copy of its loaded model (which is never changed).

    Args:
        config: base, input size, cut layer, head and mode.
        num_classes: classes of the dataset; 1 or 2 give one sigmoid output unit.

    Returns:
        A :class:`Plan`; ``plan.trainable`` and ``plan.non_trainable`` are what
        ``model.summary()`` prints for the model :func:`build_model` builds.
    """
    import keras

    config.validate()
    output_units(num_classes)
    spec = base_spec(config.base)
    size = base_input_size(config)
    full = base_network(spec, size)
    base = cut_base(full, cut_layer_of(config), spec.title)
    if spec.architecture is None:  # the shared loaded model: count on a copy of its layers
        base = keras.models.clone_model(base)
    model = assemble(base, config, num_classes)
    trainable, frozen = parameter_counts(model)
    head = [_row(layer) for layer in model.layers if is_head_layer(layer)]
    return Plan(layer_table(model), head, trainable, frozen, size, cut_layer_of(config))


def _row(layer) -> dict:
    import numpy as np

    params = int(sum(int(np.prod(w.shape)) for w in layer.weights))
    return {"layer": layer.name, "type": type(layer).__name__, "params": params,
            "trainable": bool(layer.trainable)}  # fmt: skip
