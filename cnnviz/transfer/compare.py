"""One row per stored model trained on a dataset, for the Transfer page's "Compare the runs"."""

from __future__ import annotations

import json


def _same_dataset(a: dict | None, b: dict | None) -> bool:
    def norm(d):
        return json.dumps(json.loads(json.dumps(d or {}, default=str)), sort_keys=True)

    return norm(a) == norm(b)


def compare_rows(models: list[dict], dataset: dict) -> list[dict]:
    """One row per stored model trained on ``dataset``, for "Compare the runs".

    Args:
        models: store metadata (``ModelStore.list``), newest first.
        dataset: ``{"name", "options"}`` as the training job stores it.

    Returns:
        Oldest first: ``run, mode, base, trainable params, seconds, test accuracy, errors,
        test images, id``. Models trained from scratch on the Train page have mode
        ``"scratch"`` and their architecture as base.
    """
    rows = []
    for meta in reversed(models):
        if not _same_dataset(meta.get("dataset"), dataset):
            continue
        metrics = meta.get("test_metrics") or {}
        if "accuracy" not in metrics:
            continue
        info = meta.get("transfer") or {}
        samples = int(metrics.get("samples", 0))
        accuracy = float(metrics["accuracy"])
        arch = meta.get("architecture")
        rows.append(
            {
                "run": str(meta.get("name", meta.get("id", ""))),
                "mode": str(meta.get("mode") or ("scratch" if not info else "")),
                "base": str(info.get("base_title") or meta.get("base")
                            or (arch if isinstance(arch, str) else "custom")),
                "trainable params": int(meta.get("trainable_params") or meta.get("params") or 0),
                "seconds": float(meta.get("seconds") or 0.0),
                "test accuracy": accuracy,
                "errors": round(samples * (1 - accuracy)),
                "test images": samples,
                "id": str(meta.get("id", "")),
            }
        )  # fmt: skip
    return rows
