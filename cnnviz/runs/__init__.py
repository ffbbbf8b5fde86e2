"""Training runs side by side: their settings, what differs, their histories, "same again".

A *run* is the metadata of a model in :class:`cnnviz.store.ModelStore` (``meta.json``):
``history`` holds the per-epoch lists ``fit`` returned (``loss``, ``accuracy``,
``val_loss``, ``val_accuracy``) and ``training`` the :class:`TrainingConfig` as a dict.
Nothing here retrains or loads a model: the comparison is read from the stored metadata.

The package: ``settings`` (the settings table and what differs), ``labels`` (short run
labels for legends and narrow tables: "#3 · dropout 0.5"), ``history`` (per-epoch
columns, CSV, final metrics) and ``again`` ("same again, but ..." configs).
"""

from cnnviz.runs.again import (
    CHANGES,
    MLP_ARCHITECTURE,
    SAME_AGAIN_AUGMENTATION,
    SAME_AGAIN_DROPOUT,
    available_changes,
    config_from_dict,
    next_run_number,
    same_again,
    same_again_name,
)
from cnnviz.runs.history import HISTORY_COLUMNS, final_test_metrics, history_csv, history_table
from cnnviz.runs.labels import run_tags, short_run_labels
from cnnviz.runs.settings import SETTINGS, dropout_label, run_labels, settings, settings_diff

__all__ = [
    "CHANGES",
    "HISTORY_COLUMNS",
    "MLP_ARCHITECTURE",
    "SAME_AGAIN_AUGMENTATION",
    "SAME_AGAIN_DROPOUT",
    "SETTINGS",
    "available_changes",
    "config_from_dict",
    "dropout_label",
    "final_test_metrics",
    "history_csv",
    "history_table",
    "next_run_number",
    "run_labels",
    "run_tags",
    "same_again",
    "same_again_name",
    "settings",
    "settings_diff",
    "short_run_labels",
]
