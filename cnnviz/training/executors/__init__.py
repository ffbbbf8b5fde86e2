"""Where training jobs run: the executor chosen at server start.

A :class:`~cnnviz.training.TrainingJob` keeps one API (start, events, stop, wait, result)
and runs through an executor, an entry of :data:`EXECUTORS`:

- ``local`` (the default, nothing to install or start): worker processes on this machine
  (:mod:`~cnnviz.training.executors.local`). Each keeps TensorFlow and Keras loaded, so a
  job does not pay the import; there are ``CNNVIZ_MAX_JOBS`` of them (default: one per
  three cores beyond the one the pages keep, at least one; two on a GPU). A worker that
  dies (``kill -9``, out of memory, past ``CNNVIZ_WORKER_MEMORY_MB``) fails its job with a
  sentence a student understands; a fresh worker takes its place.
- ``ray``, when ``CNNVIZ_RAY_ADDRESS`` is set (``auto`` or ``host:port``): jobs run as Ray
  tasks on whichever node of the cluster has room (:mod:`~cnnviz.training.executors.ray_cluster`);
  events stream back through a small actor, Stop reaches the task within a second, and the
  model comes back through Ray's object store to be saved in this server's store.
- ``thread``: in a thread of this process, as before the executors existed; used for jobs
  that carry live objects (a model given ready-made, Keras callbacks other than the time
  cap) and chosen with ``CNNVIZ_EXECUTOR=thread``.

``CNNVIZ_EXECUTOR`` names one explicitly. :func:`executor` returns the server's executor;
:func:`warm_up` starts it (the server calls it at start-up, so workers are ready before a
class arrives).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry


class Executor(Protocol):
    """What runs jobs. ``launch`` is called by the scheduler when a place is free."""

    key: str

    def capacity(self) -> int:
        """How many jobs may run at once."""
        ...

    def launch(self, job) -> None:
        """Start running ``job`` now (it reports through ``job.emit`` and ``job.complete``)."""
        ...

    def stop(self, job) -> None:
        """Pass a stop request on to a running ``job``."""
        ...

    def warm_up(self) -> None:
        """Get ready to run jobs (start workers, connect), without blocking long."""
        ...

    def shutdown(self) -> None:
        """Stop the workers (jobs still running fail)."""
        ...

    def describe(self) -> str:
        """What runs the jobs, in words ("this server's 2 worker processes (2 at a time)")."""
        ...


@dataclass(frozen=True)
class ExecutorKind(Entry):
    """A registered executor: ``make()`` builds it (once per process)."""

    make: Callable[[], Executor] = None  # type: ignore[assignment]


def _thread() -> Executor:
    from cnnviz.training.executors.thread import ThreadExecutor

    return ThreadExecutor()


def _local() -> Executor:
    from cnnviz.training.executors.local import LocalExecutor

    return LocalExecutor()


def _ray() -> Executor:
    from cnnviz.training.executors.ray_cluster import RayExecutor

    return RayExecutor(os.environ.get("CNNVIZ_RAY_ADDRESS", "").strip() or "auto")


EXECUTORS: Registry[ExecutorKind] = Registry("training executor")
EXECUTORS.register(
    ExecutorKind(
        key="local",
        title="Worker processes on this machine",
        help="Each training runs in a worker process that keeps TensorFlow loaded.",
        make=_local,
    )
)
EXECUTORS.register(
    ExecutorKind(
        key="ray",
        title="A Ray cluster",
        help="Trainings run on the lab's machines that joined the cluster (ray start).",
        make=_ray,
    )
)
EXECUTORS.register(
    ExecutorKind(
        key="thread",
        title="Threads of the server",
        help="Trainings run inside the server process (the old way, for scripts and tests).",
        make=_thread,
    )
)

_LOCK = threading.RLock()
_ACTIVE: dict[str, Executor] = {}
_CHOSEN: list[str] = []


def chosen_key() -> str:
    """The executor this server uses: ``CNNVIZ_EXECUTOR``, else ray with an address, else local.

    Raises:
        InputError: ``CNNVIZ_EXECUTOR`` names no executor.
    """
    if _CHOSEN:
        return _CHOSEN[-1]
    key = os.environ.get("CNNVIZ_EXECUTOR", "").strip().lower()
    if not key:
        key = "ray" if os.environ.get("CNNVIZ_RAY_ADDRESS", "").strip() else "local"
    if key not in EXECUTORS:
        raise InputError(f"CNNVIZ_EXECUTOR={key!r}: choose one of {', '.join(EXECUTORS.keys())}.")
    return key


def get(key: str) -> Executor:
    """The executor ``key`` of this process (built on first use)."""
    with _LOCK:
        if key not in _ACTIVE:
            _ACTIVE[key] = EXECUTORS.get(key).make()
        return _ACTIVE[key]


def install(key: str, chosen: Executor) -> None:
    """Use ``chosen`` as this process's executor ``key``.

    Benchmarks and tests build their own: a local executor with two workers, a Ray cluster
    of two nodes...
    """
    EXECUTORS.get(key)
    with _LOCK:
        _ACTIVE[key] = chosen


def executor() -> Executor:
    """The server's executor (see :func:`chosen_key`)."""
    return get(chosen_key())


def use(key: str | None) -> None:
    """Choose the executor for this process (None: back to the environment's choice)."""
    with _LOCK:
        _CHOSEN.clear()
        if key is not None:
            EXECUTORS.get(key)
            _CHOSEN.append(key)


def warm_up() -> Executor:
    """Start the server's executor now (workers start loading TensorFlow)."""
    chosen = executor()
    chosen.warm_up()
    return chosen


def shutdown() -> None:
    """Stop every executor this process started."""
    with _LOCK:
        active = list(_ACTIVE.values())
        _ACTIVE.clear()
    for ex in active:
        ex.shutdown()
