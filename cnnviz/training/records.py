"""What the server remembers of a training job on disk, and the time cap of a job.

A job's record is a small JSON file in its workspace (``<workspace>/jobs/<job id>.json``),
replaced atomically when the job starts and when it ends. A record left ``"running"`` by a
process that is gone (a restart, ``kill -9``) reads as ``"interrupted"``: the page then
says "interrupted by a restart", never "finished".

:func:`track` writes the records of a job without touching the job itself: once now, and
once more from a small waiting thread when the job is done. :class:`TimeCap` is a Keras
callback that stops a job at the server's time limit (the model is kept and saved).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from pathlib import Path

import keras

from cnnviz import limits

RECORD_STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
KEEP_RECORDS = 10
RECORD_BYTES = 4096  # what a job's record takes on disk, at most (reserved before a job)
# Identifies this server process: a record written by another process whose pid is ours,
# or whose pid is gone, was left behind by a restart.
PROCESS_TOKEN = uuid.uuid4().hex


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    return True


def _left_by_dead_process(record: dict) -> bool:
    if record.get("process") == PROCESS_TOKEN:
        return False
    pid = int(record.get("pid") or 0)
    return pid == os.getpid() or pid <= 0 or not _pid_alive(pid)


def record_of(job, reason: str | None = None) -> dict:
    """The JSON record of a job now (status ``"running"`` until it is done)."""
    status = job.status if job.done else "running"
    message = None
    events = job.events()
    if job.done and events:
        message = getattr(events[-1], "message", None)
    return {
        "id": job.id,
        "owner": job.owner,
        "name": job.name,
        "status": status,
        "message": reason or message,
        "error": job.error,
        "model_id": getattr(job.result, "model_id", None),
        "created": job.created,
        "updated": time.time(),
        "pid": os.getpid(),
        "process": PROCESS_TOKEN,
    }


def write_record(job, folder: Path, reason: str | None = None) -> Path:
    """Write (or replace) the record of ``job`` in ``folder``, atomically."""
    path = Path(folder) / f"{job.id}.json"
    _write_json(path, record_of(job, reason))
    return path


def read_records(folder: Path) -> list[dict]:
    """The job records in ``folder``, newest first, with dead ``"running"`` ones marked.

    A record left ``"running"`` by a process that is gone is rewritten as
    ``"interrupted"`` (once), so it never shows as running or finished again.
    """
    folder = Path(folder)
    out = []
    if not folder.is_dir():
        return out
    for path in folder.glob("job-*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("status") == "running" and _left_by_dead_process(record):
            record["status"] = "interrupted"
            record["message"] = (
                "Interrupted by a restart of the server: this training was running when the "
                "server stopped, and it did not finish. Models saved before are still in "
                "Your models; press Train to run it again."
            )
            record["updated"] = time.time()
            with contextlib.suppress(OSError):
                _write_json(path, record)
        out.append(record)
    out.sort(key=lambda r: r.get("created", 0), reverse=True)
    for old in out[KEEP_RECORDS:]:
        if old.get("status") != "running":
            with contextlib.suppress(OSError):
                (folder / f"{old['id']}.json").unlink()
    return out[:KEEP_RECORDS]


def dismiss(folder: Path, job_id: str) -> None:
    """Forget one record (e.g. an interrupted job the student has seen)."""
    if job_id.startswith("job-") and "/" not in job_id:
        with contextlib.suppress(OSError):
            (Path(folder) / f"{job_id}.json").unlink()


class TimeCap(keras.callbacks.Callback):
    """Stop a job once it has trained for ``seconds`` (checked at every batch).

    Set :attr:`job` after creating the job; :attr:`reached` tells whether the cap fired.
    """

    async_safe = True

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = float(seconds)
        self.job = None
        self.reached = False
        self._start: float | None = None

    def on_train_begin(self, logs=None):
        """Start the clock when fit begins (queue time does not count)."""
        self._start = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        """Stop the job at the next batch once the time is up."""
        if self._start is None or self.reached:
            return
        if time.monotonic() - self._start >= self.seconds:
            self.reached = True
            self.model.stop_training = True
            if self.job is not None:
                self.job.stop()


_CAPS: dict[str, TimeCap] = {}


def stop_reason(job) -> str | None:
    """Why the server stopped ``job`` (its time cap), or None when it did not."""
    cap = _CAPS.get(getattr(job, "id", ""))
    return limits.job_cap_message(cap.seconds) if cap is not None and cap.reached else None


def track(job, folder: Path, cap: TimeCap | None = None) -> None:
    """Keep ``job``'s record in ``folder``: written now and again once it is done.

    Args:
        job: a started :class:`cnnviz.training.TrainingJob`.
        folder: its workspace's jobs folder.
        cap: the job's time cap, so the final record says why it stopped.
    """
    if cap is not None:
        _CAPS[job.id] = cap
        while len(_CAPS) > 200:  # the registry forgets old jobs too
            _CAPS.pop(next(iter(_CAPS)))
    write_record(job, folder)

    def finish():
        job.wait()
        with contextlib.suppress(OSError):
            write_record(job, folder, stop_reason(job))

    threading.Thread(target=finish, name=f"{job.id}-record", daemon=True).start()
