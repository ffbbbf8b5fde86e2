"""The ``ray`` executor: jobs run as Ray tasks on a cluster of lab machines.

Chosen when ``CNNVIZ_RAY_ADDRESS`` is set (``auto``, or ``host:port`` of the head that
``ray start --head`` started). Ray is optional (``pip install -r requirements-ray.txt``).

- A job is one Ray task (:func:`_train_task`) asking for ``CNNVIZ_RAY_CPUS_PER_JOB`` CPUs
  (default 2) and ``CNNVIZ_RAY_GPUS_PER_JOB`` GPUs (default 0; 0.5 puts two jobs on each
  GPU and keeps jobs on GPU nodes). Ray places it on whichever node has room and reuses its
  worker processes, so TensorFlow stays loaded between jobs.
- Events travel through one small actor, :class:`_Hub`, pinned to the server's node: the
  task pushes them in batches about four times a second and learns from the answer whether
  the student pressed Stop; a reader thread on the server drains them into the job.
- The outcome, with the model as ``.keras`` bytes, returns through Ray's object store and
  the server saves it in its own store: the nodes share no disk.
- A node that leaves (switched off, out of memory) fails its jobs with a plain sentence;
  the server and the other jobs go on.
- The code of cnnviz travels to the nodes with the job (Ray's ``working_dir``), so a lab
  machine needs only Python and the packages of ``requirements-ray.txt``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from cnnviz.training.executors.deaths import cluster_gone, node_left, worker_died
from cnnviz.training.executors.remote import JobSpec, execute

_LOG = logging.getLogger(__name__)
PUSH_SECONDS = 0.25
PROJECT_ROOT = Path(__file__).resolve().parents[3]
# What is not shipped to the nodes with the code (Ray's working_dir).
SHIP_EXCLUDES = [".venv", ".git", "artifacts", "**/__pycache__", "*.keras", "*.npz", "bench"]


def _number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return max(0.0, float(value)) if value else default
    except ValueError:
        return default


def cpus_per_job() -> float:
    """CPUs a job asks Ray for: ``CNNVIZ_RAY_CPUS_PER_JOB`` (default 2)."""
    return max(1.0, _number("CNNVIZ_RAY_CPUS_PER_JOB", 2.0))


def gpus_per_job() -> float:
    """GPUs a job asks Ray for: ``CNNVIZ_RAY_GPUS_PER_JOB`` (default 0)."""
    return _number("CNNVIZ_RAY_GPUS_PER_JOB", 0.0)


class _Hub:
    """Events of running jobs on their way to the server, and their stop requests."""

    def __init__(self) -> None:
        self.events: dict[str, list] = {}
        self.where: dict[str, tuple] = {}
        self.stops: set[str] = set()

    def push(self, job_id: str, events: list, where: tuple = ()) -> bool:
        """Keep a task's new events (and where it runs); True when the job should stop."""
        self.events.setdefault(job_id, []).extend(events)
        if where:
            self.where[job_id] = where
        return job_id in self.stops

    def drain(self, job_id: str) -> tuple[list, tuple]:
        """The job's events since the last drain, and (process id, node address)."""
        return self.events.pop(job_id, []), self.where.get(job_id, ())

    def stop(self, job_id: str) -> None:
        """Ask the job to stop at its next push."""
        self.stops.add(job_id)

    def forget(self, job_id: str) -> None:
        """The job is over."""
        self.events.pop(job_id, None)
        self.where.pop(job_id, None)
        self.stops.discard(job_id)


def _train_task(spec: JobSpec, hub) -> object:
    """Run one job in a Ray worker process (TensorFlow stays loaded there between jobs)."""
    import ray

    from cnnviz.training.device import limit_threads

    limit_threads(max(1, int(ray.get_runtime_context().get_assigned_resources().get("CPU", 1))))
    where = (os.getpid(), ray.util.get_node_ip_address())
    pending: list = []
    lock = threading.Lock()
    stop = threading.Event()
    done = threading.Event()

    def flush() -> None:
        with lock:
            batch, pending[:] = list(pending), []
        if batch or not stop.is_set():
            with contextlib.suppress(Exception):
                if ray.get(hub.push.remote(spec.job_id, batch, where)):
                    stop.set()

    def relay() -> None:
        while not done.wait(PUSH_SECONDS):
            flush()

    def emit(event) -> None:
        with lock:
            pending.append(event)

    relay_thread = threading.Thread(target=relay, name="cnnviz-ray-relay", daemon=True)
    relay_thread.start()
    try:
        outcome = execute(spec, emit=emit, should_stop=stop.is_set)
    finally:
        done.set()
        relay_thread.join()
        flush()
    return outcome


class RayExecutor:
    """Jobs as Ray tasks on the cluster at ``address`` (see the module docstring)."""

    key = "ray"

    def __init__(self, address: str = "auto", *, init_kwargs: dict | None = None) -> None:
        self.address = address
        self._init_kwargs = dict(init_kwargs or {})
        self._lock = threading.Lock()
        self._hub = None
        self._remote = None
        self._capacity = (0.0, 1)
        self._running: dict[str, object] = {}

    # ---- connecting -------------------------------------------------------------

    def _connect(self) -> None:
        with self._lock:
            if self._hub is not None:
                return
            import ray
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            if not ray.is_initialized():
                kwargs = {
                    "address": None if self.address == "local" else self.address,
                    "namespace": "cnnviz",
                    "ignore_reinit_error": True,
                    "log_to_driver": False,
                    "runtime_env": {
                        "working_dir": str(PROJECT_ROOT),
                        "excludes": SHIP_EXCLUDES,
                        "env_vars": {"TF_CPP_MIN_LOG_LEVEL": "2"},
                    },
                }
                kwargs.update(self._init_kwargs)
                ray.init(**kwargs)
            here = ray.get_runtime_context().get_node_id()
            hub_class = ray.remote(num_cpus=0)(_Hub)
            self._hub = hub_class.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=False)
            ).remote()
            self._remote = ray.remote(max_retries=0)(_train_task)

    def warm_up(self) -> None:
        """Connect to the cluster now (in a thread: the server does not wait for it)."""
        threading.Thread(
            target=self._connect_quietly, name="cnnviz-ray-connect", daemon=True
        ).start()

    def _connect_quietly(self) -> None:
        try:
            self._connect()
        except Exception:
            _LOG.exception("could not connect to the Ray cluster at %s", self.address)

    # ---- the executor -------------------------------------------------------------

    def capacity(self) -> int:
        """Jobs the cluster's live nodes have room for (checked every two seconds)."""
        checked, value = self._capacity
        if time.monotonic() - checked < 2.0:
            return value
        try:
            self._connect()
            import ray

            per_cpu, per_gpu = cpus_per_job(), gpus_per_job()
            room = 0
            for node in ray.nodes():
                if not node.get("Alive"):
                    continue
                res = node.get("Resources", {})
                fits = int(res.get("CPU", 0) // per_cpu)
                if per_gpu > 0:
                    fits = min(fits, int(res.get("GPU", 0) // per_gpu))
                room += fits
            value = max(1, room)
        except Exception:
            value = 1
        self._capacity = (time.monotonic(), value)
        return value

    def launch(self, job) -> None:
        """Submit ``job`` as a Ray task and start the thread that follows it."""
        self._connect()
        options = {"num_cpus": cpus_per_job()}
        if gpus_per_job() > 0:
            options["num_gpus"] = gpus_per_job()
        ref = self._remote.options(**options).remote(job.spec(), self._hub)
        self._running[job.id] = ref
        threading.Thread(
            target=self._follow, args=(job, ref), name=f"{job.id}-ray", daemon=True
        ).start()

    def _follow(self, job, ref) -> None:
        import ray

        try:
            while True:
                ready, _ = ray.wait([ref], timeout=PUSH_SECONDS)
                self._relay(job)
                if ready:
                    break
            self._relay(job)
            outcome = ray.get(ref)
        except Exception as exc:
            job.fail(_failure_sentence(exc))
        else:
            job.complete(outcome)
        finally:
            self._running.pop(job.id, None)
            with contextlib.suppress(Exception):
                self._hub.forget.remote(job.id)

    def _relay(self, job) -> None:
        import ray

        events, where = ray.get(self._hub.drain.remote(job.id))
        if where:
            job.worker_pid, job.worker_node = where
        for event in events:
            job.emit(event)

    def stop(self, job) -> None:
        """Tell the job's task to stop at its next push (within about a second)."""
        if self._hub is not None:
            with contextlib.suppress(Exception):
                self._hub.stop.remote(job.id)

    def shutdown(self) -> None:
        """Disconnect from the cluster (running tasks are cancelled)."""
        import ray

        for ref in list(self._running.values()):
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)
        with self._lock:
            self._hub = None
        with contextlib.suppress(Exception):
            ray.shutdown()

    def describe(self) -> str:
        """In words."""
        return f"the lab cluster at {self.address} ({self.capacity()} at a time)"


def _failure_sentence(exc: Exception) -> str:
    """What a student reads when Ray could not finish the job."""
    from ray import exceptions as rex

    detail = type(exc).__name__
    if isinstance(exc, rex.RayTaskError):
        cause = getattr(exc, "cause", None)
        if cause is not None and not isinstance(cause, rex.RayError):
            return f"Training failed: {type(cause).__name__}: {str(cause)[:300]}"
    if isinstance(exc, rex.OutOfMemoryError):
        return worker_died(-9, None, where="on a lab computer that ran out of memory")
    if isinstance(exc, (rex.WorkerCrashedError, rex.TaskCancelledError)):
        return worker_died(-9, None, where="on a lab computer")
    if isinstance(exc, (rex.NodeDiedError, rex.LocalRayletDiedError)):
        return node_left(detail)
    if isinstance(exc, (rex.ActorDiedError, rex.RaySystemError, ConnectionError)):
        return cluster_gone(detail)
    return node_left(detail)
