"""Short labels for compared runs: "#3 · dropout 0.5" instead of a 70-character name.

A run's full name ("#3 MNIST CNN on digits · with dropout (0.5), again from #1") says what it
is; next to other runs of the same network only its number and what differs matter. These
labels fit a legend entry and a table's column header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cnnviz.runs.settings import SETTINGS, settings

#: Longest short label, in characters (a legend entry, a table column).
MAX_LABEL = 32
#: Longest tag made from a run's name when the name has no "#n".
MAX_TAG = 16

# The run number at the start of a name: "#3 MNIST CNN on digits (...)".
_NUMBER = re.compile(r"^\s*#(\d+)\b")
# Short names of the settings, for "lr 0.01"-style parts (key of SETTINGS -> words).
_SHORT = {
    "dataset": "",
    "architecture": "",
    "first_layer": "first layer",
    "dropout": "dropout",
    "augmentation": "aug.",
    "optimizer": "",
    "learning_rate": "lr",
    "schedule": "",
    "batch_size": "batch",
    "epochs": "epochs",
    "validation_split": "val. split",
    "early_stopping": "early stop",
    "seed": "seed",
}
# Values that read better as words: (key, value) -> label part.
_WORDS = {
    ("dropout", "none"): "no dropout",
    ("dropout", "architecture's"): "net's dropout",
    ("augmentation", "none"): "no aug.",
    ("early_stopping", "off"): "no early stop",
}


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def run_tags(metas: Sequence[dict]) -> list[str]:
    """One short, distinct tag per run: its number ``"#3"``, else its name shortened.

    Args:
        metas: the runs' stored metadata, in display order.

    Returns:
        Tags such as ``["#3", "#1", "my upload…"]``; a tag two runs share gets ``" (2)"``,
        ``" (3)"``, ... on its second and later runs.
    """
    tags = []
    for meta in metas:
        name = str(meta.get("name") or meta.get("id") or "run")
        found = _NUMBER.match(name)
        tags.append(f"#{found.group(1)}" if found else _shorten(name, MAX_TAG))
    return _distinct(tags)


def _part(key: str, value: str) -> str:
    if (key, value) in _WORDS:
        return _WORDS[(key, value)]
    return f"{_SHORT[key]} {value}".strip()


def short_run_labels(metas: Sequence[dict], max_chars: int = MAX_LABEL) -> list[str]:
    """Labels of compared runs: their tag and the settings that tell them apart.

    ``"#3 · dropout 0.5"``, ``"#1 · no dropout"``, ``"#4 · lr 0.01, batch 64"``. Only the
    settings whose values differ between the given runs are named, in the order of
    :data:`cnnviz.runs.SETTINGS`, as many as fit in ``max_chars`` (an ellipsis says that
    more differ). A run alone, or runs with the same settings, get their tags.

    Args:
        metas: the compared runs' stored metadata, in display order.
        max_chars: longest label (at least the tag is kept, shortened if need be).

    Returns:
        One distinct label per run, in the order given.
    """
    tags = run_tags(metas)
    per_run = [settings(m) for m in metas]
    # The settings whose values are not all equal.
    differing = [key for key, _ in SETTINGS if len({s[key] for s in per_run}) > 1]
    labels = []
    for tag, values in zip(tags, per_run, strict=True):
        parts = [_part(key, values[key]) for key in differing if values[key] != "—"]
        label, shown = tag, 0
        for part in parts:
            longer = label + (" · " if shown == 0 else ", ") + part
            if len(longer) > max_chars:
                break
            label, shown = longer, shown + 1
        if parts and shown == 0 and max_chars - len(tag) - 3 >= 6:
            # Not even one setting fits whole: the first one, shortened.
            label, shown = f"{tag} · {_shorten(parts[0], max_chars - len(tag) - 3)}", 1
        if shown < len(parts) and len(label) + 2 <= max_chars:
            label += " …"  # more settings differ than fit
        labels.append(_shorten(label, max_chars))
    return _distinct(labels)


def _distinct(labels: list[str]) -> list[str]:
    """The labels, with " (2)", " (3)", ... added to repeats of an earlier label."""
    out = []
    for i, label in enumerate(labels):
        n = labels[: i + 1].count(label)
        out.append(label if n == 1 else f"{label} ({n})")
    return out
