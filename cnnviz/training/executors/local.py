"""The ``local`` executor: worker processes on this machine that keep TensorFlow loaded.

Each worker is a ``spawn``-ed process (a fork would copy TensorFlow's threads) that loads
TensorFlow, Keras and every run kind once, warms up with one tiny training step, says it is
ready, and then trains the jobs it is sent, one at a time (:func:`worker_main`). A duplex
pipe carries, from the server, ``("run", JobSpec)`` and ``("stop", job_id)``; from the
worker, ``("ready", pid)``, ``("event", job_id, event)`` and ``("outcome", job_id,
outcome)``.

On the server, one reader thread per worker forwards events to the job, completes it with
the outcome, and watches the process: a worker that dies mid-job (``kill -9``, the
out-of-memory killer) fails its job with a plain sentence and is replaced; a worker whose
resident memory passes ``CNNVIZ_WORKER_MEMORY_MB`` is killed the same way, so one training
cannot take the machine (and the class) down.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import types

from cnnviz.training.device import cpu_cores, has_gpu
from cnnviz.training.executors.deaths import worker_died
from cnnviz.training.executors.remote import execute, rss_mb, worker_threads

_LOG = logging.getLogger(__name__)
POLL_SECONDS = 0.25


def local_workers() -> int:
    """Worker processes: ``CNNVIZ_MAX_JOBS``, else 2 on a GPU, else one per 3 spare cores."""
    value = os.environ.get("CNNVIZ_MAX_JOBS", "").strip()
    if value:
        with contextlib.suppress(ValueError):
            return max(1, int(value))
    if has_gpu():
        return 2
    return max(1, (cpu_cores() - 1) // 3)


def memory_limit_mb(workers: int) -> float:
    """Resident memory one worker may use: ``CNNVIZ_WORKER_MEMORY_MB``.

    Default: 80% of the machine's memory shared by the workers, less 1.5 GiB for the server.
    """
    value = os.environ.get("CNNVIZ_WORKER_MEMORY_MB", "").strip()
    if value:
        with contextlib.suppress(ValueError):
            return max(256.0, float(value))
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    return max(1024.0, (0.8 * total - 1536.0) / max(1, workers))


# ---- the worker process ------------------------------------------------------------------


def _warm_up() -> None:
    """Load TensorFlow, Keras and the run kinds, and run one tiny training step."""
    import keras
    import numpy as np

    from cnnviz.training.kinds import RUN_KINDS

    RUN_KINDS.keys()  # imports every run kind's package (transfer, autoencoder...)

    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 8, 8, 1), "float32"), np.zeros(4, "int64"), verbose=0)
    keras.backend.clear_session()


def worker_main(conn, threads: int) -> None:
    """A worker process's life: get ready, then train the jobs it is sent, one at a time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server stops it, not us
    from cnnviz.training.device import limit_threads

    limit_threads(threads)
    _warm_up()
    send_lock = threading.Lock()
    stops: set[str] = set()
    tasks: queue.Queue = queue.Queue()

    def send(message) -> None:
        with send_lock:
            conn.send(message)

    def listen() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                os._exit(0)  # the server is gone: nothing left to train for
            if message[0] == "run":
                tasks.put(message[1])
            elif message[0] == "stop":
                stops.add(message[1])
            elif message[0] == "quit":
                tasks.put(None)
                return

    threading.Thread(target=listen, name="cnnviz-worker-listen", daemon=True).start()
    send(("ready", os.getpid()))
    while (spec := tasks.get()) is not None:
        job_id = spec.job_id
        outcome = execute(
            spec,
            emit=lambda event, job_id=job_id: send(("event", job_id, event)),
            should_stop=lambda job_id=job_id: job_id in stops,
        )
        send(("outcome", job_id, outcome))
        stops.discard(job_id)


# ---- the server's side -----------------------------------------------------------------------

_SPAWN_LOCK = threading.Lock()


@contextlib.contextmanager
def _plain_main():
    """Spawn a worker that imports no script of ours as its ``__main__``.

    ``spawn`` re-imports the parent's ``__main__`` in the child. In the server that is the
    page script Streamlit ran last (its script runner installs it as ``__main__``), so a
    worker would run ``app.py`` before training anything. An empty module stands in for it
    while the process starts.
    """
    with _SPAWN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


class _Worker:
    """One worker process, its pipe, and the reader thread that watches it."""

    def __init__(self, executor: LocalExecutor, number: int) -> None:
        self.executor = executor
        self.number = number
        self.job = None
        self.ready = threading.Event()
        self.memory_killed: float | None = None
        self.peak_mb = 0.0
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=worker_main,
            args=(child, executor.threads),
            name=f"cnnviz-worker-{number}",
            daemon=True,
        )
        with _plain_main():
            self.process.start()
        child.close()
        self.send_lock = threading.Lock()
        self.reader = threading.Thread(
            target=self._read, name=f"cnnviz-worker-{number}-reader", daemon=True
        )
        self.reader.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def send(self, message) -> bool:
        try:
            with self.send_lock:
                self.conn.send(message)
            return True
        except (OSError, ValueError, BrokenPipeError):
            return False

    def _watch_memory(self) -> None:
        usage = rss_mb(self.pid) if self.pid else None
        if usage is None:
            return
        self.peak_mb = max(self.peak_mb, usage[1])
        limit = self.executor.memory_limit
        if usage[0] > limit and self.job is not None and self.process.is_alive():
            self.memory_killed = limit
            _LOG.warning("worker %s passed %.0f MiB: killed", self.pid, limit)
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)

    def _read(self) -> None:
        checked = 0.0
        while True:
            try:
                if self.conn.poll(POLL_SECONDS):
                    self._handle(self.conn.recv())
                elif not self.process.is_alive():
                    break
                now = time.monotonic()
                if now - checked >= POLL_SECONDS:  # on a clock, however busy the pipe is
                    checked = now
                    self._watch_memory()
            except (EOFError, OSError):
                break
        self.process.join(timeout=5)
        self.executor._worker_ended(self)

    def _handle(self, message) -> None:
        what = message[0]
        if what == "ready":
            self.ready.set()
            return
        job = self.job
        if job is None or job.id != message[1]:
            return  # a job already failed or forgotten
        if what == "event":
            job.emit(message[2])
        elif what == "outcome":
            self.job = None
            job.complete(message[2])
            self.executor._became_idle(self)


class LocalExecutor:
    """Worker processes on this machine (see the module docstring)."""

    key = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = int(workers or local_workers())
        self.threads = worker_threads(self.workers)
        self.memory_limit = memory_limit_mb(self.workers)
        self._lock = threading.Lock()
        self._pool: list[_Worker] = []
        self._numbers = iter(range(1, 1_000_000))
        self._closed = False

    def capacity(self) -> int:
        """One job per worker."""
        return self.workers

    def warm_up(self) -> None:
        """Start the workers (each loads TensorFlow in its own process, in parallel)."""
        with self._lock:
            self._closed = False
            while len(self._pool) < self.workers:
                self._pool.append(_Worker(self, next(self._numbers)))

    def pids(self) -> list[int]:
        """The worker processes' ids (for benchmarks and tests)."""
        with self._lock:
            return [w.pid for w in self._pool if w.pid]

    def peak_rss_mb(self) -> dict[int, float]:
        """Each live worker's peak resident memory in MiB, by process id."""
        out = {}
        with self._lock:
            pool = list(self._pool)
        for w in pool:
            usage = rss_mb(w.pid) if w.pid else None
            if usage is not None:
                out[w.pid] = max(w.peak_mb, usage[1])
        return out

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until every worker has loaded TensorFlow; True when they all have."""
        self.warm_up()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            pool = list(self._pool)
        for w in pool:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not w.ready.wait(left):
                return False
        return True

    def launch(self, job) -> None:
        """Send ``job`` to an idle worker (the scheduler keeps at most one job per worker)."""
        self.warm_up()
        with self._lock:
            idle = [w for w in self._pool if w.job is None and w.process.is_alive()]
            worker = idle[0] if idle else None
            if worker is None:  # every worker busy or dying: one more for this job
                worker = _Worker(self, next(self._numbers))
                self._pool.append(worker)
            worker.job = job
        job.worker_pid = worker.pid
        if not worker.send(("run", job.spec())):
            worker.job = None
            job.fail(worker_died(worker.process.exitcode))

    def stop(self, job) -> None:
        """Tell the job's worker to stop it at the next batch."""
        with self._lock:
            owner = next((w for w in self._pool if w.job is job), None)
        if owner is not None:
            owner.send(("stop", job.id))

    def _became_idle(self, worker: _Worker) -> None:
        with self._lock:
            extra = len(self._pool) > self.workers
            if extra and worker in self._pool:
                self._pool.remove(worker)
        if extra:
            worker.send(("quit",))

    def _worker_ended(self, worker: _Worker) -> None:
        """A worker process ended: fail its job, and start a fresh worker in its place."""
        with self._lock:
            if worker in self._pool:
                self._pool.remove(worker)
            job, worker.job = worker.job, None
            replace = not self._closed and len(self._pool) < self.workers
            if replace:
                self._pool.append(_Worker(self, next(self._numbers)))
        if job is not None and not job.done:
            job.fail(worker_died(worker.process.exitcode, worker.memory_killed))

    def shutdown(self) -> None:
        """Stop every worker (a running job fails)."""
        with self._lock:
            self._closed = True
            pool, self._pool = list(self._pool), []
        for w in pool:
            w.send(("quit",))
        for w in pool:
            w.process.join(timeout=5)
            if w.process.is_alive():
                w.process.kill()

    def describe(self) -> str:
        """In words."""
        n = self.workers
        return f"this server's {n} worker process{'es' if n != 1 else ''} ({n} at a time)"
