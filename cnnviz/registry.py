"""One registry shape for every extension point.

Datasets, run kinds, attribution methods, feature-visualization recipes, pretrained models,
transfer bases and pages are each a frozen dataclass with at least ``key``, ``title`` and
``help`` (:class:`Entry`), kept in a :class:`Registry` of its own. A registry keeps the
order of registration (pages and tests list entries in that order), answers ``get(key)``
with an :class:`~cnnviz.errors.InputError` that lists the choices, and ``available()``.

Adding an entry is one file: the feature package's ``__init__`` imports the modules that
register, and every page and test that reads the registry sees the new entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from cnnviz.errors import InputError


@dataclass(frozen=True)
class Entry:
    """What every registered thing has.

    Attributes:
        key: the short name code and links use (``"shapes"``, ``"grad_cam"``).
        title: the name a student reads.
        help: one or two sentences a student reads next to the title.
    """

    key: str
    title: str
    help: str = ""


E = TypeVar("E", bound=Entry)


class Registry(Generic[E]):
    """Entries of one kind, by key, in registration order.

    Args:
        kind: what the entries are, in words (``"dataset"``), for error messages.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, E] = {}

    def register(self, entry: E) -> E:
        """Add ``entry``; a second entry with the same key is a programming error.

        Returns:
            ``entry``, so a module can write ``THING = REGISTRY.register(Thing(...))``.
        """
        if not isinstance(entry, Entry):
            raise TypeError(f"A {self.kind} entry must be an Entry, got {type(entry).__name__}.")
        if entry.key in self._entries:
            raise ValueError(f"The {self.kind} {entry.key!r} is registered twice.")
        self._entries[entry.key] = entry
        return entry

    def get(self, key: str) -> E:
        """The entry named ``key``.

        Raises:
            InputError: no such entry; the message lists the choices.
        """
        try:
            return self._entries[key]
        except (KeyError, TypeError):
            choices = ", ".join(self._entries) or "none"
            raise InputError(f"Unknown {self.kind} {key!r}; choose one of: {choices}.") from None

    def available(self, where: Callable[[E], bool] | None = None) -> list[E]:
        """Every entry (or those for which ``where(entry)`` is true), in registration order."""
        return [e for e in self._entries.values() if where is None or where(e)]

    def keys(self) -> list[str]:
        """Every key, in registration order."""
        return list(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[E]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)
