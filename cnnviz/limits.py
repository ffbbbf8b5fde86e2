"""What one workspace may use on a shared server, read from the environment in one place.

- ``CNNVIZ_QUOTA_MB``: disk space per workspace for its models and uploaded datasets
  (default 300 MB).
- ``CNNVIZ_JOB_MINUTES``: the longest a training job may run; at the cap it stops at the next
  batch and its model is kept and saved (default 10 minutes on a CPU, none on a GPU).
- ``CNNVIZ_WORKSPACE_DAYS``: a workspace untouched this long is deleted with everything in
  it (default 14 days).

And what all of them together may use:

- ``CNNVIZ_DISK_BUDGET_GB``: disk space for every workspace's models and datasets together.
  Default: half of the room the workspaces have (the free space at the app's home plus what
  they already hold), at most 50 GB; 73 GB free gives 36.5 GB, room for ~120 full
  workspaces.
- ``CNNVIZ_NEW_WORKSPACES_PER_HOUR``: new workspaces one client address may start in an
  hour (default 60: twice a class, since a school's network may show a whole class under
  one address). A workspace starts with its first save; only visiting makes nothing.
  Browsers on the server's own machine share one count; a proxy that does not pass the
  address on makes its whole class share it too (raise the limit then).
- ``CNNVIZ_MIN_FREE_MB``: free disk space every write must leave (default 1024 MB).

A value of 0 means no limit.

Every limit that is reached raises :class:`cnnviz.errors.InputError` with a message a student
understands.
"""

from __future__ import annotations

import os

from cnnviz.errors import InputError

DEFAULT_QUOTA_MB = 300.0
DEFAULT_JOB_MINUTES = 10.0
DEFAULT_WORKSPACE_DAYS = 14.0
DEFAULT_BUDGET_SHARE = 0.5  # of the room the workspaces have (free + what they hold)
DEFAULT_BUDGET_CAP_GB = 50.0
DEFAULT_NEW_WORKSPACES_PER_HOUR = 60
DEFAULT_MIN_FREE_MB = 1024.0
_MiB = 1 << 20
_GiB = 1 << 30


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


def disk_budget_bytes(room: int) -> int | None:
    """Disk space all workspaces together may fill; None = unlimited.

    Args:
        room: bytes the workspaces could have: free space at the app's home plus what they
            hold now (the default budget is :data:`DEFAULT_BUDGET_SHARE` of it, at most
            :data:`DEFAULT_BUDGET_CAP_GB`).
    """
    default = min(DEFAULT_BUDGET_SHARE * room / _GiB, DEFAULT_BUDGET_CAP_GB)
    gb = _env_float("CNNVIZ_DISK_BUDGET_GB", default)
    return None if gb is None else int(gb * _GiB)


def new_workspaces_per_hour() -> int | None:
    """New workspaces one client address may start per hour; None = unlimited."""
    count = _env_float("CNNVIZ_NEW_WORKSPACES_PER_HOUR", DEFAULT_NEW_WORKSPACES_PER_HOUR)
    return None if count is None else max(1, int(count))


def min_free_bytes() -> int:
    """Free disk space every write must leave (0 = none)."""
    mb = _env_float("CNNVIZ_MIN_FREE_MB", DEFAULT_MIN_FREE_MB)
    return 0 if mb is None else int(mb * _MiB)


def check_budget(used: int, adding: int, budget: int | None) -> None:
    """Refuse to add ``adding`` bytes when all workspaces together hold ``used`` bytes.

    Raises:
        InputError: when the result would exceed ``budget`` (None = no budget).
    """
    if budget is None or used + adding <= budget:
        return
    raise InputError(
        f"The server's disk budget for all workspaces ({budget / _GiB:.1f} GB) is used up: "
        f"they hold {used / _GiB:.1f} GB and this needs {adding / _MiB:.0f} MB more. Ask the "
        "teacher to delete old workspaces or to raise CNNVIZ_DISK_BUDGET_GB."
    )


def check_free_space(free: int, adding: int, margin: int | None = None) -> None:
    """Refuse a write of ``adding`` bytes that would leave less than ``margin`` bytes free.

    Raises:
        InputError: when ``free - adding`` is below the margin (default :func:`min_free_bytes`).
    """
    margin = min_free_bytes() if margin is None else margin
    if free - adding >= margin:
        return
    raise InputError(
        f"The server's disk is almost full: {free / _MiB:.0f} MB are free, this needs "
        f"{adding / _MiB:.0f} MB, and at least {margin / _MiB:.0f} MB must stay free. "
        "Nothing was saved; ask the teacher to free some space."
    )


def check_new_workspaces(address: str, started: int, limit: int | None, wait: float) -> None:
    """Refuse a new workspace for ``address`` that started ``started`` in the last hour.

    Args:
        address: the client's address, as the student's browser reached the server.
        started: new workspaces it started in the last hour.
        limit: the most it may start per hour (None = no limit).
        wait: seconds until the oldest of them is an hour old.

    Raises:
        InputError: when ``started`` reached ``limit``.
    """
    if limit is None or started < limit:
        return
    minutes = max(1, round(wait / 60))
    raise InputError(
        f"This computer (address {address}) started {started} new workspaces in the last "
        f"hour, the most this server allows. Keep working in the one you have (the sidebar's "
        f"Your link opens it again), or try again in {minutes} minutes."
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
