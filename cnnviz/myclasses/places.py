"""Places for trainings of your own classes: a few at a time per server, one per project.

A training of your own classes runs in the server process (the page then shows the trained
model live, on the same base), so a class pressing Train together must not start thirty
TensorFlow trainings at once: they take places in order, and a student whose training waits
is told how many are ahead. A project trains once at a time: a second tab pressing Train
is told so instead of writing the same files.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cnnviz.errors import InputError

#: How often a waiting training checks its place, in seconds (its callback hears each change).
POLL_SECONDS = 0.5


def default_capacity(cores: int | None = None) -> int:
    """Trainings at once: ``CNNVIZ_MYCLASSES_JOBS``, else one per two cores beyond one.

    Args:
        cores: the machine's cores (default ``os.cpu_count()``).
    """
    value = os.environ.get("CNNVIZ_MYCLASSES_JOBS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    cores = int(cores if cores is not None else (os.cpu_count() or 2))
    return max(1, (cores - 1) // 2)


class Places:
    """A first-come queue in front of ``capacity`` places.

    Args:
        capacity: trainings that may run at once (at least 1).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, int(capacity))
        self._cond = threading.Condition()
        self._waiting: deque[object] = deque()
        self._owners: set[str] = set()
        self._running = 0

    def counts(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._cond:
            return self._running, len(self._waiting)

    def _ahead(self, ticket: object) -> int | None:
        """Trainings before ``ticket``, or None when its place is free now (lock held)."""
        index = self._waiting.index(ticket)
        if index == 0 and self._running < self.capacity:
            return None
        return self._running - self.capacity + 1 + index

    @contextmanager
    def hold(self, owner: str, waiting: Callable[[int], None] | None = None) -> Iterator[None]:
        """Wait for a place, keep it for the ``with`` block, then give it to the next.

        Args:
            owner: the project's workspace key; one training per owner at a time.
            waiting: called with the number of trainings ahead whenever it changes while
                this one waits (not called when a place is free at once).

        Raises:
            InputError: ``owner`` already trains (or waits) in another tab.
        """
        ticket = object()
        with self._cond:
            if owner in self._owners:
                raise InputError(
                    "Your classes are already training (in another tab or window): wait for "
                    "it to finish, then look again."
                )
            self._owners.add(owner)
            self._waiting.append(ticket)
        holding = False
        try:
            told = None
            while True:
                with self._cond:
                    ahead = self._ahead(ticket)
                    if ahead is None:
                        self._waiting.remove(ticket)
                        self._running += 1
                        holding = True
                        break
                if waiting is not None and ahead != told:
                    waiting(ahead)
                    told = ahead
                with self._cond:
                    self._cond.wait(POLL_SECONDS)
            yield
        finally:
            with self._cond:
                if holding:
                    self._running -= 1
                elif ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._owners.discard(owner)
                self._cond.notify_all()


#: The server's places (every training of your own classes goes through them).
PLACES = Places(default_capacity())
