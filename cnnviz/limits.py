"""What one workspace may use on a shared server, read from the environment in one place.

- ``CNNVIZ_QUOTA_MB``: disk space per workspace for its models and uploaded datasets
  (default 300 MB).
- ``CNNVIZ_JOB_MINUTES``: the longest a training job may run; at the cap it stops at the next
  batch and its model is kept and saved (default 10 minutes on a CPU, none on a GPU).
- ``CNNVIZ_WORKSPACE_DAYS``: a workspace untouched this long is deleted with everything in
  it (default 14 days).

Every limit that is reached raises :class:`cnnviz.errors.InputError` with a message a student
understands.
"""

from __future__ import annotations

import os

from cnnviz.errors import InputError

DEFAULT_QUOTA_MB = 300.0
DEFAULT_JOB_MINUTES = 10.0
DEFAULT_WORKSPACE_DAYS = 14.0
_MiB = 1 << 20


def _env_float(name: str, default: float | None) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else None  # 0 or negative: no limit


def quota_bytes() -> int | None:
    """Disk space a workspace may fill with models and datasets; None = unlimited."""
    mb = _env_float("CNNVIZ_QUOTA_MB", DEFAULT_QUOTA_MB)
    return None if mb is None else int(mb * _MiB)


def job_seconds(on_gpu: bool = False) -> float | None:
    """Longest run of one training job in seconds; None = no cap.

    Args:
        on_gpu: a GPU server has no cap unless ``CNNVIZ_JOB_MINUTES`` is set.
    """
    minutes = _env_float("CNNVIZ_JOB_MINUTES", None if on_gpu else DEFAULT_JOB_MINUTES)
    return None if minutes is None else minutes * 60.0


def workspace_max_age_seconds() -> float | None:
    """Age after which an untouched workspace is cleaned up; None = never."""
    days = _env_float("CNNVIZ_WORKSPACE_DAYS", DEFAULT_WORKSPACE_DAYS)
    return None if days is None else days * 86400.0


def check_quota(used: int, adding: int = 0, quota: int | None = None) -> None:
    """Refuse to add ``adding`` bytes to a workspace already using ``used`` bytes.

    Args:
        used: bytes the workspace's models and datasets take now.
        adding: bytes about to be written (0: only check that the workspace is not full).
        quota: the limit in bytes (default :func:`quota_bytes`).

    Raises:
        InputError: when the result would exceed the quota.
    """
    quota = quota_bytes() if quota is None else quota
    if quota is None or used + adding <= quota:
        return
    raise InputError(
        f"Your workspace is full: it uses {used / _MiB:.0f} MB"
        + (f" and this needs {adding / _MiB:.0f} MB more" if adding else "")
        + f", and each workspace may use {quota / _MiB:.0f} MB on this server. Delete models "
        "or uploaded datasets you no longer need (Train page, Your models) and try again."
    )


def check_job_cap(active_jobs: int) -> None:
    """Refuse a new training job while the workspace already has one running or queued.

    Raises:
        InputError: when ``active_jobs`` is 1 or more.
    """
    if active_jobs >= 1:
        raise InputError(
            "You already have a training running or waiting in the queue. Each workspace may "
            "have one at a time: wait for it to finish, or stop it, then press Train again."
        )


def job_cap_message(seconds: float) -> str:
    """What a student reads when a job reached the time cap."""
    minutes = seconds / 60
    shown = f"{minutes:.0f} minutes" if minutes >= 1 else f"{seconds:.0f} seconds"
    return (
        f"Stopped at the time limit: a training may run for at most {shown} on this server, "
        "so that everyone gets a turn. The model trained so far was kept and saved. Try fewer "
        "epochs, fewer or smaller images, or a smaller network."
    )
