"""'The code' of a training page: what its Train button runs, as a script and a notebook."""

from __future__ import annotations

from cnnviz import datasets
from cnnviz.codegen.training_code import TrainingSource
from cnnviz.training import TrainingConfig
from cnnviz.ui.common.code_export import code_expander


def code_ui(ds: datasets.Dataset, cfg: TrainingConfig | None, prefix: str = "train") -> None:
    """The code behind the config the page trains on ``ds`` (nothing while there is none).

    Args:
        ds: the page's dataset (its name and options; an archive's code reads your zip).
        cfg: the config the Train button starts, or None while the settings make none.
        prefix: the page's session-state prefix (the downloads' keys start with it).
    """
    if cfg is None:
        return
    code_expander(TrainingSource.of(ds, cfg), key=f"{prefix}_code")
