"""Every training run kind, registered: the one module that lists the packages providing one.

:mod:`cnnviz.training` defines the run-kind protocol (:class:`~cnnviz.training.RunKind`)
and the classifier; transfer learning and the denoising autoencoder live in their own
packages, above training, and register their kinds when imported. This module imports them
all, so ``RUN_KINDS`` is complete after ``import cnnviz.runkinds``. Training's registry
imports this module by name the first time a lookup needs a kind it has not seen (a stored
config read back in a fresh process), so no caller has to remember an import.

Adding a run kind: a package with its settings (a :class:`~cnnviz.training.RunSettings`),
its :class:`~cnnviz.training.RunKind` registered on import, a field of that name on
:class:`~cnnviz.training.TrainingConfig`, and one import line here.
"""

from __future__ import annotations

from cnnviz import autoencoder, transfer  # noqa: F401 - importing them registers their kinds
from cnnviz.training.kinds import RUN_KINDS, RunKind

__all__ = ["RUN_KINDS", "available", "get"]


def available() -> list[RunKind]:
    """Every run kind (classifier first), in registration order."""
    return RUN_KINDS.available()


def get(key: str) -> RunKind:
    """The run kind ``key``; ``InputError`` lists the choices."""
    return RUN_KINDS.get(key)
