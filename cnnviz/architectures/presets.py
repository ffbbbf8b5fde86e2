"""A classic architecture as a registry entry, and the row helpers its layer table uses.

Each family of presets is one module (:mod:`~cnnviz.architectures.mnist`,
:mod:`~cnnviz.architectures.photos`, ...) that registers its :class:`Preset` entries here;
adding an architecture is one entry in one of them (or one new module imported by the
package ``__init__``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from cnnviz.registry import Entry, Registry


@dataclass(frozen=True, kw_only=True)
class Preset(Entry):
    """A classic architecture.

    Attributes:
        key: name for :func:`cnnviz.architectures.build`.
        title: shown to students.
        help: where it comes from and what it shows.
        input_shape: (H, W, C) it was designed for.
        num_classes: classes it was designed for.
        params: its parameter count at that input (checked by the tests).
        spec: its layer table (without the output layer).
    """

    input_shape: tuple[int, int, int]
    num_classes: int
    params: int
    spec: tuple[dict, ...]

    @property
    def name(self) -> str:
        """The key (the name :func:`cnnviz.architectures.build` takes)."""
        return self.key

    @property
    def description(self) -> str:
        """The help text: where it comes from and what it shows."""
        return self.help


REGISTRY: Registry[Preset] = Registry("architecture")


def available() -> list[str]:
    """Names of the preset architectures, in the order a page should list them."""
    return REGISTRY.keys()


def preset(name: str) -> Preset:
    """The :class:`Preset` called ``name``; ``InputError`` for an unknown name."""
    return REGISTRY.get(name)


def preset_spec(name: str) -> list[dict]:
    """A fresh, editable copy of a preset's layer table (without the output layer)."""
    return copy.deepcopy(list(preset(name).spec))


def conv(filters, kernel=3, padding="valid", activation="relu"):
    """A conv2d row of a preset's spec."""
    return {
        "type": "conv2d",
        "filters": filters,
        "kernel": kernel,
        "stride": 1,
        "padding": padding,
        "activation": activation,
    }


def pool(kernel=2, padding="valid"):
    """A max-pooling row (stride = kernel) of a preset's spec."""
    return {"type": "maxpool", "kernel": kernel, "stride": kernel, "padding": padding}


def dense(units, activation="relu"):
    """A dense row of a preset's spec."""
    return {"type": "dense", "units": units, "activation": activation}


def dropout(rate):
    """A dropout row of a preset's spec."""
    return {"type": "dropout", "rate": rate}


FLAT = {"type": "flatten"}
BN = {"type": "batchnorm"}
