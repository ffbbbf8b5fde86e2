"""Our own self-contained functions, written into a generated program as they are.

A generated program never imports ``cnnviz``. Where the page runs a small function of ours
that only needs public packages (a data generator, the EfficientNet-Lite0 builder and its
weight reader), the program carries that function's source, read with :mod:`inspect`, so it
cannot drift from what the page runs. Their ``InputError`` becomes Python's ``ValueError``.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterable

#: Defined once at the top of the inlined code: the name our functions raise.
PRELUDE = "InputError = ValueError  # cnnviz's InputError is a ValueError\n"


def _keep(line: str) -> bool:
    return not line.startswith(("from __future__", "from cnnviz", "import cnnviz"))


def module_source(module) -> str:
    """A whole module's source, without its ``from __future__`` and ``cnnviz`` imports."""
    text = inspect.getsource(module)
    return "\n".join(line for line in text.splitlines() if _keep(line)).strip("\n") + "\n"


def function_source(*objects, replace: Iterable[tuple[str, str]] = ()) -> str:
    """The source of functions or classes, one after the other (``replace``: (old, new))."""
    parts = []
    for obj in objects:
        text = textwrap.dedent(inspect.getsource(obj))
        text = "\n".join(line for line in text.splitlines() if _keep(line.strip()))
        for old, new in replace:
            text = text.replace(old, new)
        parts.append(text.strip("\n"))
    return "\n\n\n".join(parts) + "\n"


def constants(**values) -> str:
    """``NAME = value`` lines for module constants the inlined functions read."""
    return "".join(f"{name} = {value!r}\n" for name, value in values.items())
