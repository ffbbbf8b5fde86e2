"""A first-in-first-out scheduler for training jobs and the registry that finds them by id.

The scheduler knows a job only by the small :class:`Schedulable` interface (``launch()``,
``id``, ``owner``, ``number``, ``done``), so it never imports :mod:`cnnviz.training.job`.

First come, first served: a job's ``number`` (from :func:`next_number`, taken when the
student pressed Train) is its place in line. A job whose preparation took longer (a slow
quota walk, a busy server) still queues ahead of every job numbered after it.
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Callable
from typing import Protocol

from cnnviz.training.device import max_concurrent_jobs


class Schedulable(Protocol):
    """What the scheduler and the registry need of a job."""

    id: str
    owner: str
    number: int  # place in line: a smaller number was asked for first

    @property
    def done(self) -> bool:
        """True once the job has ended."""
        ...

    def launch(self) -> None:
        """Start running now (the scheduler calls it when a place is free)."""


# Finished jobs kept in the registry per owner (older ones are forgotten).
KEEP_FINISHED_PER_OWNER = 3


class _Scheduler:
    """Runs at most ``capacity()`` jobs; the rest wait first-in, first-out.

    The capacity is the executor's (:meth:`set_capacity`; :mod:`cnnviz.training.job` sets
    it: one job per local worker, the Ray cluster's room...), ``CNNVIZ_MAX_JOBS`` before.
    """

    def __init__(self) -> None:
        self.capacity: Callable[[], int] = max_concurrent_jobs
        self._lock = threading.Lock()
        self._running: list[Schedulable] = []
        self._waiting: collections.deque[Schedulable] = collections.deque()

    def set_capacity(self, capacity: Callable[[], int]) -> None:
        """Where the limit on running jobs comes from (called with no arguments)."""
        self.capacity = capacity

    def submit(self, job: Schedulable) -> None:
        with self._lock:
            start = len(self._running) < self.capacity() and not self._waiting
            if start:
                self._running.append(job)
            else:
                # Behind every job asked for earlier, ahead of any asked for later.
                ahead = sum(w.number <= job.number for w in self._waiting)
                self._waiting.insert(ahead, job)
        if start:
            job.launch()

    def cancel(self, job: Schedulable) -> bool:
        """Remove a waiting job; True when it was still waiting."""
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
                return True
            return False

    def release(self, job: Schedulable) -> None:
        """A running job ended: start the next waiting ones."""
        to_start = []
        with self._lock:
            if job in self._running:
                self._running.remove(job)
            while self._waiting and len(self._running) < self.capacity():
                nxt = self._waiting.popleft()
                self._running.append(nxt)
                to_start.append(nxt)
        for nxt in to_start:
            nxt.launch()

    def position(self, job: Schedulable) -> int:
        """1-based place in the queue; 0 when not waiting."""
        with self._lock:
            try:
                return self._waiting.index(job) + 1
            except ValueError:
                return 0

    def counts(self) -> tuple[int, int]:
        """(running, waiting) job counts."""
        with self._lock:
            return len(self._running), len(self._waiting)


SCHEDULER = _Scheduler()
_REGISTRY: dict[str, Schedulable] = {}
_REGISTRY_LOCK = threading.Lock()
# keras.utils.set_random_seed touches process-wide generators (Python, NumPy, TensorFlow):
# seeding and building happen under this lock so concurrent jobs do not interleave.
SETUP_LOCK = threading.Lock()
_COUNTER = itertools.count(1)


def next_number() -> int:
    """1, 2, 3...: the running number in job ids (``job-<n>-<random>``)."""
    return next(_COUNTER)


def get_job(job_id: str | None) -> Schedulable | None:
    """The job with this id, or None (unknown or forgotten)."""
    if not job_id:
        return None
    with _REGISTRY_LOCK:
        return _REGISTRY.get(job_id)


def jobs(owner: str | None = None) -> list[Schedulable]:
    """Registered jobs, oldest first; only ``owner``'s when given."""
    with _REGISTRY_LOCK:
        items = list(_REGISTRY.values())
    return [j for j in items if owner is None or j.owner == owner]


def register(job: Schedulable) -> None:
    """Keep ``job`` findable by id; only the newest finished jobs of its owner are kept."""
    with _REGISTRY_LOCK:
        _REGISTRY[job.id] = job
        done = [j for j in _REGISTRY.values() if j.owner == job.owner and j.done]
        for old in done[:-KEEP_FINISHED_PER_OWNER]:
            del _REGISTRY[old.id]
