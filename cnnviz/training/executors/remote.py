"""What a worker does with a job: the picklable :class:`JobSpec` and :func:`execute`.

The local and the Ray executors both send a :class:`JobSpec` (the dataset, the config, the
workspace, the time cap and, for "train further", the stored model's files) to a process
that keeps TensorFlow loaded; :func:`execute` trains it there with a
:class:`~cnnviz.training.run.TrainingRun` and returns the
:class:`~cnnviz.training.run.Outcome` with the model as ``.keras`` bytes, ready to travel
back to the server, which saves it in its own store (workers need no shared disk).
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cnnviz.training.config import TrainingConfig
from cnnviz.training.records import TimeCap
from cnnviz.training.run import Outcome, TrainingRun


@dataclass
class JobSpec:
    """Everything a worker needs to train one job (picklable).

    Attributes:
        job_id: the server's job id (events and the outcome are tagged with it).
        dataset: a ``cnnviz.datasets.Dataset``.
        config: the training config.
        owner: the workspace key.
        snapshots: keep epoch snapshots.
        time_cap: seconds of training before the server's cap stops it (0: none).
        continue_files: for ``config.continue_from``, the stored model's folder as
            ``{file name: bytes}`` (``model.keras``, ``meta.json``), else empty.
    """

    job_id: str
    dataset: object
    config: TrainingConfig
    owner: str
    snapshots: bool = True
    time_cap: float = 0.0
    continue_files: dict[str, bytes] = field(default_factory=dict)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb(pid: int) -> tuple[float, float] | None:
    """(current, peak) resident memory of process ``pid`` in MiB, from ``/proc``; None if gone."""
    values = {}
    try:
        with open(f"/proc/{int(pid)}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, amount = line.split(":", 1)
                    values[key] = int(amount.split()[0]) / 1024.0
    except (OSError, ValueError):
        return None
    if "VmRSS" not in values:
        return None
    return values["VmRSS"], values.get("VmHWM", values["VmRSS"])


def model_file_bytes(model) -> bytes:
    """A Keras model as the bytes of its ``.keras`` file."""
    with tempfile.TemporaryDirectory(prefix="cnnviz-model-") as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def _shipped_store(root: Path, spec: JobSpec):
    """A model store holding only the model ``spec`` continues from (or None)."""
    if not spec.config.continue_from or not spec.continue_files:
        return None
    from cnnviz.store import ModelStore

    folder = root / str(spec.config.continue_from)
    folder.mkdir(parents=True)
    for name, data in spec.continue_files.items():
        (folder / Path(name).name).write_bytes(data)
    return ModelStore(root)


def execute(
    spec: JobSpec, emit: Callable[[object], None], should_stop: Callable[[], bool]
) -> Outcome:
    """Train ``spec`` in this process and return its outcome, the model as bytes.

    Args:
        spec: the job.
        emit: sends one event to the server (called in order).
        should_stop: True once the server passed a stop request on.
    """
    import keras

    with tempfile.TemporaryDirectory(prefix="cnnviz-job-") as tmp:
        cap = TimeCap(spec.time_cap) if spec.time_cap else None
        run = TrainingRun(
            spec.dataset,
            spec.config,
            emit=emit,
            should_stop=should_stop,
            store=_shipped_store(Path(tmp), spec),
            owner=spec.owner,
            callbacks=[cap] if cap else None,
            snapshots=spec.snapshots,
        )
        if cap is not None:
            cap.job = run
        outcome = run.run()
        outcome.cap_reached = bool(cap is not None and cap.reached)
        if outcome.model is not None:
            try:
                outcome.model_bytes = model_file_bytes(outcome.model)
            except Exception as exc:
                outcome.status, outcome.error = (
                    "failed",
                    f"The trained model could not be saved: {exc}",
                )
            outcome.model = None
    del run
    with contextlib.suppress(Exception):
        keras.backend.clear_session(free_memory=True)
    gc.collect()
    outcome.peak_rss_mb = peak_rss_mb()
    return outcome


def worker_threads(workers: int, cores: int | None = None) -> int:
    """TensorFlow threads for each of ``workers`` processes: the cores but one, shared."""
    cores = cores or len(os.sched_getaffinity(0))
    return max(1, (cores - 1) // max(1, workers))
