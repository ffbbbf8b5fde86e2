"""Training runs side by side: their settings, what differs, their histories, "same again".

A *run* is the metadata of a model in :class:`cnnviz.store.ModelStore` (``meta.json``):
``history`` holds the per-epoch lists ``fit`` returned (``loss``, ``accuracy``,
``val_loss``, ``val_accuracy``) and ``training`` the :class:`TrainingConfig` as a dict.
Nothing here retrains or loads a model: the comparison is read from the stored metadata.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from cnnviz.errors import InputError
from cnnviz.training.config import Augmentation, TrainingConfig

# Rows of the settings table, in the order a student reads them: (key, label).
SETTINGS = (
    ("dataset", "Dataset"),
    ("architecture", "Architecture"),
    ("first_layer", "First layer"),
    ("dropout", "Dropout"),
    ("augmentation", "Augmentation"),
    ("optimizer", "Optimiser"),
    ("learning_rate", "Learning rate"),
    ("schedule", "Schedule"),
    ("batch_size", "Batch size"),
    ("epochs", "Epochs"),
    ("validation_split", "Validation split"),
    ("early_stopping", "Early stopping"),
    ("seed", "Seed"),
)
HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "gap")
# "Same again, but ...": change key -> button label.
CHANGES = {
    "dropout_on": "with dropout (0.5)",
    "dropout_off": "without dropout",
    "augmentation_on": "with augmentation",
    "augmentation_off": "without augmentation",
    "mlp": "an MLP instead of the CNN",
    "cnn": "a CNN instead of the MLP",
}
SAME_AGAIN_DROPOUT = 0.5
SAME_AGAIN_AUGMENTATION = Augmentation(rotation=0.05, shift=0.1, zoom=0.1)
MLP_ARCHITECTURE = "mlp"


def _architecture_label(arch) -> str:
    if isinstance(arch, str):
        return arch
    if isinstance(arch, (list, tuple)):
        return f"custom ({len(arch)} layers)"
    return "uploaded" if arch is None else str(arch)


def _augmentation_label(data: dict | None) -> str:
    aug = Augmentation.from_dict(data)
    if not aug.active:
        return "none"
    parts = [f"flip {aug.flip}"] if aug.flip != "none" else []
    for name in ("rotation", "shift", "zoom", "contrast"):
        value = getattr(aug, name)
        if value > 0:
            parts.append(f"{name} {value:g}")
    return ", ".join(parts)


def _architecture_has_dropout(arch) -> bool:
    from cnnviz import architectures

    if isinstance(arch, str):
        if arch not in architectures.available():
            return False
        spec = architectures.preset_spec(arch)
    elif isinstance(arch, (list, tuple)):
        spec = list(arch)
    else:
        return False
    return any(str(row.get("type", "")).lower() == "dropout" for row in spec)


def _dropout_label(training: dict) -> str:
    rate = training.get("dropout")
    if rate is None:
        arch = training.get("architecture")
        return "architecture's" if _architecture_has_dropout(arch) else "none"
    return "none" if float(rate) == 0 else f"{float(rate):g}"


def settings(meta: dict) -> dict[str, str]:
    """The settings of one stored run, as short strings keyed like :data:`SETTINGS`.

    Args:
        meta: a model's stored metadata.

    Returns:
        One string per key of :data:`SETTINGS` ("—" where the run does not say, e.g. an
        uploaded model).
    """
    training = meta.get("training") or {}
    dataset = (meta.get("dataset") or {}).get("name")
    out = {key: "—" for key, _ in SETTINGS}
    out["dataset"] = str(dataset) if dataset else "—"
    out["architecture"] = _architecture_label(
        training.get("architecture", meta.get("architecture"))
    )
    if not training:
        return out
    out["first_layer"] = str(training.get("first_layer", "random"))
    out["dropout"] = _dropout_label(training)
    out["augmentation"] = _augmentation_label(training.get("augmentation"))
    out["optimizer"] = str(training.get("optimizer", "—"))
    lr = training.get("learning_rate")
    out["learning_rate"] = "—" if lr is None else f"{float(lr):g}"
    for key in ("schedule", "batch_size", "epochs", "validation_split", "seed"):
        if training.get(key) is not None:
            out[key] = (
                f"{training[key]:g}" if isinstance(training[key], float) else str(training[key])
            )
    patience = int(training.get("early_stopping") or 0)
    out["early_stopping"] = "off" if patience == 0 else f"patience {patience}"
    return out


def settings_diff(metas: Sequence[dict]) -> list[dict[str, str]]:
    """The settings that differ between runs, one row per setting.

    Args:
        metas: two or more runs' metadata.

    Returns:
        Rows ``{"setting": label, <run label>: value, ...}`` for each setting whose values
        are not all equal, in :data:`SETTINGS` order; run labels as :func:`run_labels`.
    """
    per_run = [settings(m) for m in metas]
    labels = run_labels(metas)
    rows = []
    for key, label in SETTINGS:
        values = [s[key] for s in per_run]
        if len(set(values)) > 1:
            rows.append({"setting": label, **dict(zip(labels, values, strict=True))})
    return rows


def run_labels(metas: Sequence[dict]) -> list[str]:
    """Distinct labels for runs: their names, numbered where two share one."""
    names = [str(m.get("name") or m.get("id") or "run") for m in metas]
    out = []
    for i, name in enumerate(names):
        if names.count(name) > 1:
            name = f"{name} #{names[: i + 1].count(name)}"
        out.append(name)
    return out


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


def config_from_dict(data: dict) -> TrainingConfig:
    """Rebuild a :class:`TrainingConfig` from its stored dict (unknown keys ignored).

    A run kind's settings (transfer, autoencoder) come back as their own objects.
    """
    if not isinstance(data, dict) or not data:
        raise InputError("This model has no stored training settings, so it cannot be rerun.")
    return TrainingConfig.from_dict(data)


def available_changes(meta: dict) -> list[str]:
    """The "same again, but ..." changes that make sense for a run (keys of :data:`CHANGES`).

    Dropout is offered off when the run had some and on otherwise; likewise augmentation;
    an MLP for a CNN run, a CNN for an MLP run. A run without stored settings gets none.
    """
    training = meta.get("training") or {}
    if not training:
        return []
    out = ["dropout_off" if _dropout_label(training) != "none" else "dropout_on"]
    aug = Augmentation.from_dict(training.get("augmentation"))
    out.append("augmentation_off" if aug.active else "augmentation_on")
    out.append("cnn" if training.get("architecture") == MLP_ARCHITECTURE else "mlp")
    return out


def same_again(meta: dict, change: str, cnn_architecture: str = "mnist_cnn") -> TrainingConfig:
    """The training settings of a run with one setting changed.

    Args:
        meta: the run's stored metadata (its ``training`` settings are reused).
        change: a key of :data:`CHANGES`.
        cnn_architecture: the CNN to use for ``"cnn"``.

    Returns:
        A validated :class:`TrainingConfig`.

    Raises:
        InputError: unknown change, or a run without stored settings.
    """
    if change not in CHANGES:
        raise InputError(f"Unknown change {change!r}; choose one of {', '.join(CHANGES)}.")
    cfg = config_from_dict(meta.get("training") or {})
    if change == "dropout_on":
        cfg.dropout = SAME_AGAIN_DROPOUT
    elif change == "dropout_off":
        cfg.dropout = 0.0
    elif change == "augmentation_on":
        cfg.augmentation = SAME_AGAIN_AUGMENTATION
    elif change == "augmentation_off":
        cfg.augmentation = Augmentation()
    elif change == "mlp":
        cfg.architecture = MLP_ARCHITECTURE
    elif change == "cnn":
        cfg.architecture = cnn_architecture
    cfg.validate()
    return cfg


def same_again_name(meta: dict, change: str) -> str:
    """Name for the rerun's model: the run's name and what changed."""
    base = str(meta.get("name") or "run").split(" · ")[0]
    return f"{base} · {CHANGES[change]}"[:80]
