"""Which split and class each image of an archive belongs to, from its path.

Layouts (wrapper folders around any of them are fine): ``train/<class>/...`` with optional
``validation/`` (or ``val/``) and ``test/``; Kaggle's ``training_set/`` and ``test_set/``,
also doubled as in ``training_set/training_set/<class>/...``; ``<name>/<class>/...`` with
``validation-<name>/<class>/...`` beside it; ``<class>/...`` (the caller splits it). Class
names are the folders below the split folders, never the split folders themselves; a class
folder may be called ``test`` inside ``train/``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from cnnviz.errors import InputError

_SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "training_set": "train",
    "train_set": "train",
    "validation": "val",
    "val": "val",
    "valid": "val",
    "validation_set": "val",
    "val_set": "val",
    "test": "test",
    "testing": "test",
    "test_set": "test",
}


# A split folder beside the training folder it belongs to: validation-<name>/ next to <name>/
# (the courses' horse-or-human and validation-horse-or-human).
_SPLIT_PREFIXES = {"validation": "val", "valid": "val", "val": "val", "test": "test"}


@dataclass
class ZipEntry:
    """An image entry with the split and the class its path gives it."""

    info: zipfile.ZipInfo
    split: str
    label: str


def _prefixed_splits(tops: set[str]) -> dict[str, str] | None:
    """``{"<name>": "train", "validation-<name>": "val"}`` when the top folders pair up so."""
    lower = {t.lower(): t for t in tops}
    for name in tops:
        found = {name: "train"}
        for prefix, split in _SPLIT_PREFIXES.items():
            for sep in ("-", "_", " "):
                other = lower.get(f"{prefix}{sep}{name.lower()}")
                if other is not None:
                    found[other] = split
        if len(found) > 1:
            return found
    return None


def layout(
    entries: list[tuple[zipfile.ZipInfo, tuple[str, ...]]],
) -> tuple[list[ZipEntry], str | None]:
    """Assign each image entry a split and a class from its path; also the wrapper's name."""
    paths = [parts for _, parts in entries]
    # Strip wrapper folders: every image sits under the same top folder that is not a split.
    depth = 0
    while paths and all(
        len(p) >= depth + 3 and p[depth] == paths[0][depth] and p[depth].lower() not in _SPLIT_NAMES
        for p in paths
    ):
        depth += 1
    tops = {p[depth] for p in paths}
    split_of = _prefixed_splits(tops) if len(tops) > 1 else None
    if split_of is None:
        split_of = {t: _SPLIT_NAMES.get(t.lower()) for t in tops}
    split_layout = any(split_of.values())
    # Doubled split folders (Kaggle's training_set/training_set/<class>): a split folder
    # whose images all sit in one subfolder of the same name.
    doubled = set()
    for top in tops:
        inner = [p[depth + 1 :] for p in paths if p[depth] == top]
        if all(len(q) >= 3 and q[0].lower() == top.lower() for q in inner):
            doubled.add(top)
    out = []
    for (info, _), p in zip(entries, paths, strict=True):
        rest = p[depth:]
        if split_layout:
            split = split_of.get(rest[0])
            if split is None:
                raise InputError(
                    f"Folder {rest[0]!r} sits next to train/: the archive should hold only "
                    "train/, validation/ and test/, each with one folder per class."
                )
            if rest[0] in doubled:
                rest = rest[1:]
            if len(rest) < 3:
                raise InputError(
                    f"Image {info.filename!r} is directly in {rest[0]}/; put each image in a "
                    f"class folder, e.g. {rest[0]}/<class name>/{rest[-1]}."
                )
            out.append(ZipEntry(info, split, rest[1].strip()))
        else:
            if len(rest) < 2:
                raise InputError(
                    f"Image {info.filename!r} is not inside a class folder; put each image in a "
                    "folder named after its class (e.g. cats/1.jpg, dogs/2.jpg)."
                )
            out.append(ZipEntry(info, "train", rest[0].strip()))
    if split_layout and not any(e.split == "train" for e in out):
        raise InputError(
            "The archive has validation/ or test/ folders but no train/ folder with training "
            "images."
        )
    return out, (paths[0][depth - 1] if depth else None)


def check_classes(
    entries: list[ZipEntry],
    class_names: list[str],
    min_per_class: int,
    *,
    what: str,
    bad: list[str] | None = None,
) -> None:
    """At least two training classes, each with ``min_per_class`` entries; no unknown classes."""
    for e in entries:
        if e.split != "train" and e.label not in class_names:
            folder = "validation" if e.split == "val" else e.split
            raise InputError(
                f"Class {e.label!r} appears in {folder}/ but has no folder in train/; "
                f"the training classes are {class_names}."
            )
    if len(class_names) < 2:
        found = f"only {class_names[0]!r}" if class_names else "none"
        raise InputError(
            f"A classifier needs at least two classes (one folder each); found {found}."
        )
    counts = {c: 0 for c in class_names}
    for e in entries:
        if e.split == "train":
            counts[e.label] += 1
    short = {c: n for c, n in counts.items() if n < min_per_class}
    if short:
        listing = ", ".join(f"{c!r} has {n}" for c, n in short.items())
        message = (
            f"Every class needs at least {min_per_class} training {what}: {listing}. "
            "Add more images to those class folders."
        )
        if bad:
            message += f" These files could not be read as images: {', '.join(bad[:5])}."
        raise InputError(message)
