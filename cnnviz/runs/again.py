"""Same again, but ...: a stored run's settings with one setting changed, ready to train."""

from __future__ import annotations

import re
from collections.abc import Sequence

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


# A run's number at the start of its name: "#3 MNIST CNN on digits (...)".
_NUMBER = re.compile(r"^#(\d+)\s+")
MAX_NAME = 80  # the store's longest model name


def next_run_number(metas: Sequence[dict]) -> int:
    """The next run number of a workspace: one past the highest "#n" of its runs' names.

    Counting the runs instead would give a number twice once a run is deleted.
    """
    numbers = [
        int(m.group(1)) for m in (_NUMBER.match(str(x.get("name") or "")) for x in metas) if m
    ]
    return max(numbers, default=0) + 1


def same_again_name(meta: dict, change: str, number: int) -> str:
    """Name for the rerun's model: its own number, what it is, what changed, and whence.

    ``"#3 MNIST CNN on digits · with dropout (0.5), again from #1"``; the base run's
    settings in brackets are left out (the comparison table shows them), so a long name is
    shortened in its title and never cut inside a bracket.
    """
    name = str(meta.get("name") or "run")
    found = _NUMBER.match(name)
    origin = f", again from #{found.group(1)}" if found else ""
    title = _NUMBER.sub("", name).split(" (")[0].split(" · ")[0].strip() or "run"
    tail = f" · {CHANGES[change]}{origin}"
    head = f"#{number} "
    room = MAX_NAME - len(head) - len(tail)
    if len(title) > room:
        title = title[: max(room - 1, 1)].rstrip() + "…"
    return f"{head}{title}{tail}"
