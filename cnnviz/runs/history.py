"""A run's per-epoch history as columns and as CSV, and its final test metrics."""

from __future__ import annotations

import csv
import io
import math

HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "gap")


def _float(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def history_table(meta: dict) -> dict[str, list[float]]:
    """A run's per-epoch history as columns (:data:`HISTORY_COLUMNS`).

    Args:
        meta: a model's stored metadata.

    Returns:
        ``{"epoch": [1, 2, ...], "loss": [...], "accuracy": [...], "val_loss": [...],
        "val_accuracy": [...], "gap": [...]}``; ``gap`` is validation loss minus training
        loss (the overfitting gap). Missing values are NaN; an empty history gives empty
        lists.
    """
    history = meta.get("history") or {}
    n = max((len(v) for v in history.values() if isinstance(v, list)), default=0)

    def column(name: str) -> list[float]:
        values = list(history.get(name) or [])
        return [_float(v) for v in values] + [math.nan] * (n - len(values))

    table = {"epoch": [float(i + 1) for i in range(n)]}
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        table[name] = column(name)
    table["gap"] = [v - t for v, t in zip(table["val_loss"], table["loss"], strict=True)]
    return table


def history_csv(meta: dict) -> str:
    """A run's history as CSV text (header :data:`HISTORY_COLUMNS`, one row per epoch)."""
    table = history_table(meta)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for i in range(len(table["epoch"])):
        row = []
        for name in HISTORY_COLUMNS:
            value = table[name][i]
            if name == "epoch":
                row.append(int(value))
            else:
                row.append("" if math.isnan(value) else repr(float(value)))
        writer.writerow(row)
    return buffer.getvalue()


def final_test_metrics(meta: dict) -> dict[str, float]:
    """``{"test accuracy": ..., "test loss": ...}`` of a run (NaN when not stored)."""
    metrics = meta.get("test_metrics") or {}
    return {
        "test accuracy": _float(metrics.get("accuracy")),
        "test loss": _float(metrics.get("loss")),
    }
