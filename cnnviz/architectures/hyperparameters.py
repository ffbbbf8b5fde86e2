"""The hyperparameters a student can change on a preset, applied to a copy of its spec."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from cnnviz.architectures.rows import ALIASES, is_missing

HYPERPARAMETERS = ("dropout", "batchnorm", "activation", "l2", "seed")


def apply_hyperparameters(
    spec: Sequence[dict],
    *,
    dropout: float | None = None,
    batchnorm: bool = False,
    activation: str | None = None,
    l2: float | None = None,
) -> list[dict]:
    """A copy of a spec with the hyperparameters a student can change on a preset.

    Args:
        spec: layer rows; not modified.
        dropout: None keeps the spec's rates; a rate in [0, 1) replaces every dropout rate,
            and when the spec has no dropout and the rate is above 0, one dropout layer is
            added before the output.
        batchnorm: add batch normalisation after every convolution.
        activation: None keeps them; else the activation of every convolution and hidden
            dense layer (one of :data:`ACTIVATIONS`).
        l2: None or 0 keeps them; else the L2 weight decay of every convolution and hidden
            dense layer that has no L1 or L2 of its own.

    Returns:
        The new spec.
    """
    out = []
    for row in copy.deepcopy(list(spec)):
        kind = ALIASES.get(str(row.get("type", "")).strip().lower().replace(" ", "_"))
        if activation is not None and kind in ("conv2d", "dense"):
            row["activation"] = activation
        own = any(not is_missing(row.get(k)) and float(row[k]) > 0 for k in ("l1", "l2"))
        if l2 and kind in ("conv2d", "dense") and not own:
            row["l2"] = float(l2)
        if dropout is not None and kind == "dropout":
            row["rate"] = dropout
        out.append(row)
        if batchnorm and kind == "conv2d":
            out.append({"type": "batchnorm"})
    has_dropout = any(ALIASES.get(str(r.get("type", "")).lower()) == "dropout" for r in out)
    if dropout is not None and not has_dropout and float(dropout) > 0:
        out.append({"type": "dropout", "rate": dropout})
    return out
