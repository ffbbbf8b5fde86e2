"""Same again, but ...: a stored run's settings with one setting changed, ready to train."""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.runs.settings import dropout_label
from cnnviz.training.augmentation import Augmentation
from cnnviz.training.config import TrainingConfig

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
    out = ["dropout_off" if dropout_label(training) != "none" else "dropout_on"]
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
