"""A class presses Train at the same moment: where should the trainings run?

Run: ``.venv/bin/python bench/class_train.py`` (default: 10 students, the digits job, every
executor; about ten minutes on a 2-core CPU). Options: ``--students 10 30``, ``--job digits
shapes`` (``digits``: the MNIST CNN on scikit-learn's digits, 3 epochs; ``shapes``: the
Train page's default, ``training.recommended_config("shapes")`` on ``shapes``),
``--executors thread local ray1 ray2``.

Through the core API, as the server does it: N :class:`~cnnviz.training.TrainingJob` s, one
owner (workspace) each, saving into one :class:`~cnnviz.store.ModelStore`, all started in
one loop (the class presses Train together), after capping TensorFlow's threads in the
server process at cores - 1 as the app's start-up does. Each executor is measured in a fresh process
of its own (the "server"), so one executor's memory does not count against the next:

- ``thread``: today's in-server threads (``CNNVIZ_MAX_JOBS``, default 1 on a CPU);
- ``local``: worker processes on this machine (``CNNVIZ_MAX_JOBS`` workers);
- ``ray1``: a Ray cluster of one node (``ray.cluster_utils.Cluster``, 2 CPUs);
- ``ray2``: a Ray cluster of two nodes of 2 CPUs each, both on this machine.

Printed for each:

- **wall**: seconds from the first Train until the last model is stored;
- **bare**: the same job alone (after a warm-up job, so workers are loaded), measured once
  (``--bare-runs 3``: the fastest of three);
- **efficiency**: N × bare / wall (1.0 = as fast as the jobs back to back, alone);
- **slider p50 / p90**: a classmate's Filters slider while the class trains, measured in the
  server process: every 0.5 s another thread computes what a θ slider move recomputes on the
  Filters page (``cnnviz.filters.gabor_response`` of a 512-pixel gray sample, a new θ each
  time) and times it; ``quiet`` is the same before the class starts;
- **server RSS**: the server process before the class, its peak while it trains, and after;
- **worker peak**: the largest peak resident memory of a worker process (local: the worker
  processes; Ray: its worker processes, as each job reports them; thread: none, the
  training is in the server).

Then a table on paper: the same class on K lab machines (K = 1, 4, 16), each running one job
at a time, jobs spread evenly: ``ceil(N / K) × bare`` with ``bare`` the per-job time measured
on a one-node Ray cluster (else the local workers'). It leaves out the network and a lab
machine's own speed.

Nothing is asserted; every loop is bounded; only this machine is used.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODES = ("thread", "local", "ray1", "ray2")
JOBS = ("digits", "shapes")
SLIDER_EVERY_S = 0.5
QUIET_SAMPLES = 10
JOB_TIMEOUT_S = 1800.0  # one class, at most
NODE_CPUS = 2
NODE_OBJECT_STORE = 300 * 2**20  # bytes of shared memory per Ray node (models are ~1 MB)
MODE_TITLES = {
    "thread": "in-server threads",
    "local": "local worker processes",
    "ray1": "Ray, one node",
    "ray2": "Ray, two nodes",
}


def rss_mb() -> float:
    """This process's resident memory now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---------------------------------------------------------------------------------------------
# One executor, in its own process (the "server")


class Classmate(threading.Thread):
    """Moves the Filters page's θ slider every 0.5 s: times the Gabor response it recomputes.

    Also samples the server's resident memory each time (its peak while the class trains).
    """

    def __init__(self) -> None:
        super().__init__(name="classmate", daemon=True)
        from cnnviz import images

        sample = next(iter(images.samples().values()))
        self.gray = images.to_gray(images.fit_within(sample, 512))
        self.times: list[float] = []
        self.peak_rss = 0.0
        self.halt = threading.Event()
        self._theta = 0

    def move_once(self) -> float:
        from cnnviz import filters

        self._theta = (self._theta + 5) % 180
        params = (31, 4.0, math.radians(self._theta), 10.0, 0.5, 0.0)
        t0 = time.perf_counter()
        filters.gabor_response(self.gray, params)
        return time.perf_counter() - t0

    def quiet(self, samples: int = QUIET_SAMPLES) -> list[float]:
        out = []
        for _ in range(samples):
            out.append(self.move_once())
            time.sleep(SLIDER_EVERY_S)
        return out

    def run(self) -> None:
        while not self.halt.is_set():
            self.times.append(self.move_once())
            self.peak_rss = max(self.peak_rss, rss_mb())
            self.halt.wait(SLIDER_EVERY_S)


def _job_config(job: str, epochs: int | None):
    from cnnviz import training

    if job == "digits":
        config = training.recommended_config("digits")
        config.architecture = "mnist_cnn"  # the MNIST CNN preset
        config.epochs = 3
    else:
        config = training.recommended_config("shapes")  # what the Train page starts with
    if epochs:
        config.epochs = epochs
    return config


def _run_jobs(dataset, config, store, owners: list[str]) -> tuple[float, list]:
    """Start one job per owner in one loop; (seconds until the last is stored, the jobs)."""
    from cnnviz.training import TrainingJob

    t0 = time.perf_counter()
    jobs = [
        TrainingJob(dataset, config, store=store, owner=owner, snapshots=True).start()
        for owner in owners
    ]
    deadline = time.monotonic() + JOB_TIMEOUT_S
    for job in jobs:
        job.wait(max(1.0, deadline - time.monotonic()))
    wall = time.perf_counter() - t0
    for job in jobs:
        if not job.done:
            job.stop()
    return wall, jobs


@contextlib.contextmanager
def _executor(mode: str):
    """Choose and start ``mode``'s executor in this process; yields it."""
    from cnnviz.training import executors

    cluster = None
    try:
        if mode in ("ray1", "ray2"):
            from ray.cluster_utils import Cluster

            node = {"num_cpus": NODE_CPUS, "object_store_memory": NODE_OBJECT_STORE}
            cluster = Cluster(
                initialize_head=True, head_node_args={**node, "include_dashboard": False}
            )
            if mode == "ray2":
                cluster.add_node(**node)
            cluster.wait_for_nodes()
            os.environ["CNNVIZ_RAY_ADDRESS"] = cluster.address
            key = "ray"
        else:
            key = mode
        executors.use(key)
        chosen = executors.warm_up()
        if key == "local":
            chosen.wait_ready(timeout=600)
        yield chosen
    finally:
        executors.shutdown()
        if cluster is not None:
            cluster.shutdown()


def measure(mode: str, job: str, students: int, epochs: int | None, bare_runs: int = 1) -> dict:
    """One executor, one job, one class: the figures of the module docstring."""
    from cnnviz.training import device

    device.limit_threads()  # as the server does at start-up: TensorFlow leaves the pages a core
    from cnnviz import datasets
    from cnnviz.store import ModelStore

    name = "digits" if job == "digits" else "shapes"
    dataset = datasets.load(name)
    config = _job_config(job, epochs)
    classmate = Classmate()
    with tempfile.TemporaryDirectory(prefix="cnnviz-class-") as tmp, _executor(mode) as chosen:
        store = ModelStore(Path(tmp) / "models")
        capacity = chosen.capacity()
        # Warm-up: one short job per place, so every worker (every node) has trained once.
        warm = _job_config(job, 1)
        _run_jobs(dataset, warm, store, [f"warm-{i}" for i in range(capacity)])
        lone = [_run_jobs(dataset, config, store, [f"alone-{i}"]) for i in range(bare_runs)]
        bare, (alone,) = min(lone, key=lambda run: run[0])
        quiet = classmate.quiet()
        gc.collect()
        rss_before = rss_mb()
        classmate.peak_rss = rss_before
        classmate.start()
        wall, jobs = _run_jobs(dataset, config, store, [f"student-{i}" for i in range(students)])
        classmate.halt.set()
        classmate.join(timeout=10)
        gc.collect()
        rss_after = rss_mb()
        worker_peaks = [j.peak_rss_mb for j in [alone, *jobs] if j.peak_rss_mb]
        if hasattr(chosen, "peak_rss_mb"):
            worker_peaks += list(chosen.peak_rss_mb().values())
        stored = sum(1 for j in jobs if j.result is not None and j.result.model_id)
        return {
            "mode": mode,
            "job": job,
            "students": students,
            "executor": chosen.describe(),
            "capacity": capacity,
            "wall_s": wall,
            "bare_s": bare,
            "bare_runs": [seconds for seconds, _ in lone],
            "alone_status": alone.status,
            "stored": stored,
            "failed": [j.error for j in jobs if j.status == "failed"][:3],
            "slider_quiet": quiet,
            "slider": classmate.times,
            "rss_before": rss_before,
            "rss_peak": classmate.peak_rss,
            "rss_after": rss_after,
            "worker_peak": max(worker_peaks) if worker_peaks else None,
        }


# ---------------------------------------------------------------------------------------------
# The comparison (the parent process)


def run_child(
    mode: str, job: str, students: int, epochs: int | None, bare_runs: int = 1
) -> dict | None:
    """``measure`` in a fresh Python process; its figures, or None when it failed."""
    cmd = [sys.executable, __file__, "--one", mode, "--job", job, "--students", str(students)]
    cmd += ["--bare-runs", str(bare_runs)]
    if epochs:
        cmd += ["--epochs", str(epochs)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    env.pop("CNNVIZ_RAY_ADDRESS", None)
    env.pop("CNNVIZ_EXECUTOR", None)
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=JOB_TIMEOUT_S + 600
        )
    except subprocess.TimeoutExpired:
        print(f"  {mode}: did not finish in time")
        return None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    print(f"  {mode}: failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return None


def _ms(values: list[float], q: float) -> str:
    return f"{1000 * percentile(values, q):7.1f}"


def print_table(results: list[dict]) -> None:
    """The side-by-side figures of one job and class size."""
    head = (
        f"{'executor':24} {'at once':>7} {'stored':>7} {'wall s':>7} {'bare s':>7} "
        f"{'effic.':>6} {'quiet p50':>9} {'slider p50':>10} {'p90':>7} {'p90/quiet':>9} "
        f"{'server RSS MiB before/peak/after':>33} {'worker peak':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        eff = r["students"] * r["bare_s"] / r["wall_s"]
        quiet50 = percentile(r["slider_quiet"], 50)
        p90 = percentile(r["slider"], 90)
        rss = f"{r['rss_before']:.0f} / {r['rss_peak']:.0f} / {r['rss_after']:.0f}"
        worker = f"{r['worker_peak']:.0f}" if r["worker_peak"] else "(in server)"
        print(
            f"{MODE_TITLES[r['mode']]:24} {r['capacity']:7d} {r['stored']:4d}/{r['students']:<2d} "
            f"{r['wall_s']:7.1f} {r['bare_s']:7.1f} {eff:6.2f} "
            f"{_ms(r['slider_quiet'], 50):>9} {_ms(r['slider'], 50):>10} {_ms(r['slider'], 90)} "
            f"{p90 / quiet50:9.1f} {rss:>33} {worker:>11}"
        )
        for error in r["failed"]:
            print(f"    failed: {error}")
    print("  (slider times in ms: the Filters page's Gabor response in the server process)")
    if any(r["students"] * r["bare_s"] > 1.05 * r["wall_s"] for r in results):
        print(
            "  (efficiency above 1: the lone job took longer than the class's jobs did on"
            " average;\n   one lone run on a busy machine is noisy: --bare-runs 3 takes the"
            " fastest of three)"
        )


def print_paper(results: list[dict], students: int) -> None:
    """The same class on K lab machines, one job at a time each, from a measured job time."""
    by_mode = {r["mode"]: r for r in results}
    source = by_mode.get("ray1") or by_mode.get("local") or (results[0] if results else None)
    if source is None:
        return
    bare = source["bare_s"]
    print(
        f"\nOn paper: {students} students on K lab machines like this one, jobs spread evenly, "
        f"one job per machine at a time,\n{bare:.1f} s per job (measured alone: "
        f"{MODE_TITLES[source['mode']]}); network and the machines' own speed left out."
    )
    print(f"{'K machines':>10} {'jobs each':>9} {'last model after s':>18} {'vs K=1':>7}")
    one = math.ceil(students / 1) * bare
    for k in (1, 4, 16):
        each = math.ceil(students / k)
        print(f"{k:10d} {each:9d} {each * bare:18.1f} {one / (each * bare):6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10])
    parser.add_argument("--job", nargs="+", choices=JOBS, default=["digits"])
    parser.add_argument("--executors", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--epochs", type=int, default=None, help="override the job's epochs")
    parser.add_argument("--bare-runs", type=int, default=1, help="lone runs; the fastest counts")
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        sys.path.insert(0, str(ROOT))
        runs = max(1, args.bare_runs)
        result = measure(args.one, args.job[0], args.students[0], args.epochs, runs)
        print("RESULT " + json.dumps(result))
        return
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    max_jobs = os.environ.get("CNNVIZ_MAX_JOBS", "(default)")
    print(f"Machine: {cores} cores, {memory:.0f} GiB; CNNVIZ_MAX_JOBS={max_jobs}")
    for job in args.job:
        for students in args.students:
            print(f"\n=== {students} students press Train together: {job} ===")
            results = []
            for mode in args.executors:
                t0 = time.perf_counter()
                r = run_child(mode, job, students, args.epochs, max(1, args.bare_runs))
                if r is not None:
                    results.append(r)
                    print(f"  {mode}: done in {time.perf_counter() - t0:.0f} s ({r['executor']})")
            print()
            print_table(results)
            print_paper(results, students)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
