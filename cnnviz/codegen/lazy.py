"""A code source made only when its code is asked for (pages build theirs this way).

A page's code source may need work or fail for reasons a student should read (a method the
code is not written for, a model cnnviz built itself); :class:`Deferred` wraps the function
that makes it, so :func:`cnnviz.codegen.program` makes it inside its own error handling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnnviz.codegen.program import Program


@dataclass(frozen=True)
class Deferred:
    """A code source whose :meth:`program` first calls ``make`` for the real source."""

    make: Callable[[], object]

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The real source's program (``InputError`` from ``make`` passes through)."""
        return self.make().program(epochs=epochs, max_images=max_images)
