"""What the page shows before training: the layers, their state and the parameter counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.transfer.bases import base_spec
from cnnviz.transfer.config import TransferConfig
from cnnviz.transfer.model import HEAD_PREFIX


@dataclass
class Plan:
    """What :func:`build_model` would build, without copying the base.

    Attributes:
        layers: one row per base layer, input side first: ``layer, type, params,
            trainable`` (as :func:`layer_table`).
        head: one row per head layer, like ``layers``.
        trainable: weights that training changes.
        non_trainable: frozen weights (base, BatchNorm statistics).
    """

    layers: list[dict]
    head: list[dict]
    trainable: int
    non_trainable: int

    @property
    def summary(self) -> str:
        """The parameter lines the courses print after ``model.summary()``."""
        return (
            f"Total params: {self.trainable + self.non_trainable:,}\n"
            f"Trainable params: {self.trainable:,}\n"
            f"Non-trainable params: {self.non_trainable:,}"
        )


def describe(config: TransferConfig, num_classes: int) -> Plan:
    """The layers, their frozen / trainable state and the parameter counts of a config.

    Reads the shared pretrained model only (nothing is cloned or changed), so a page can call
    it on every rerun.
    """
    import keras

    config.validate()
    spec = base_spec(config.base)
    full = spec.load()
    names = [layer.name for layer in full.layers]
    if spec.cut_layer not in names:
        raise InputError(f"{spec.title} has no layer {spec.cut_layer!r} to cut at.")
    cut = keras.Model(full.inputs, full.get_layer(spec.cut_layer).output)
    layers = [layer for layer in cut.layers if not isinstance(layer, keras.layers.InputLayer)]
    top = int(config.fine_tune_layers) if config.mode == "finetune" else 0
    rows, trainable, frozen = [], 0, 0
    for i, layer in enumerate(layers):
        count = int(sum(int(np.prod(w.shape)) for w in layer.weights))
        train = i >= len(layers) - top and not isinstance(layer, keras.layers.BatchNormalization)
        rows.append({"layer": layer.name, "type": type(layer).__name__, "params": count,
                     "trainable": bool(train)})  # fmt: skip
        trainable, frozen = trainable + count * train, frozen + count * (not train)
    h, w, c = (int(v) for v in cut.outputs[0].shape[1:])
    width = c if config.pooling == "avg" else h * w * c
    units = 1 if int(num_classes) == 2 else int(num_classes)
    pool = f"{HEAD_PREFIX}pool" if config.pooling == "avg" else f"{HEAD_PREFIX}flatten"
    head = [{"layer": pool, "type": "GlobalAveragePooling2D" if config.pooling == "avg"
             else "Flatten", "params": 0, "trainable": True}]  # fmt: skip
    if int(config.head_units) > 0:
        n = width * int(config.head_units) + int(config.head_units)
        head.append({"layer": f"{HEAD_PREFIX}dense", "type": "Dense", "params": n,
                     "trainable": True})  # fmt: skip
        width = int(config.head_units)
    if float(config.head_dropout) > 0:
        head.append({"layer": f"{HEAD_PREFIX}dropout", "type": "Dropout", "params": 0,
                     "trainable": True})  # fmt: skip
    head.append({"layer": f"{HEAD_PREFIX}output", "type": "Dense",
                 "params": width * units + units, "trainable": True})  # fmt: skip
    trainable += sum(r["params"] for r in head)
    return Plan(rows, head, int(trainable), int(frozen))
