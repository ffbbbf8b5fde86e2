"""The settings of stored runs side by side, and the settings that differ between them."""

from __future__ import annotations

from collections.abc import Sequence

from cnnviz.training.augmentation import Augmentation

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


def dropout_label(training: dict) -> str:
    """The dropout of stored settings in words: ``"none"``, ``"architecture's"`` or the rate."""
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
    out["dropout"] = dropout_label(training)
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


def settings_diff(
    metas: Sequence[dict], labels: Sequence[str] | None = None
) -> list[dict[str, str]]:
    """The settings that differ between runs, one row per setting.

    Args:
        metas: two or more runs' metadata.
        labels: distinct column names for the runs (default: :func:`run_labels`; a narrow
            table takes :func:`cnnviz.runs.run_tags`).

    Returns:
        Rows ``{"setting": label, <run label>: value, ...}`` for each setting whose values
        are not all equal, in :data:`SETTINGS` order.
    """
    per_run = [settings(m) for m in metas]
    labels = list(labels) if labels is not None else run_labels(metas)
    if len(labels) != len(metas) or len(set(labels)) != len(labels):
        raise ValueError(f"need one distinct label per run, got {labels!r}")
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
