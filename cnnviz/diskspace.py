"""May I write N bytes into workspace W? One answer for every writer on a shared server.

Every write into a workspace (an uploaded or trained model, epoch snapshots, an uploaded
dataset, a job's record) first takes a :func:`reserve`-ation of its bytes. Under a lock
per workspace (a thread lock plus ``flock`` on ``<workspace>/.lock``, so two server
processes cannot race either) and one for the server (``<home>/space/lock``), it checks

1. the workspace's quota (``CNNVIZ_QUOTA_MB``): what its models and folder hold, plus what
   its other writes in progress reserved;
2. the server's disk budget for all workspaces together (``CNNVIZ_DISK_BUDGET_GB``);
3. the free space on the disk, which must stay above a margin (``CNNVIZ_MIN_FREE_MB``);

and records the reservation (``<home>/space/reserved/<key>.<pid>.<token>.<id>``: its byte
count), so six tabs uploading at once see each other's bytes before any is written. The
reservation is given back when the write ends, committed or failed; one left by a process
that died no longer counts. See :mod:`cnnviz.limits` for the defaults.

A workspace's folder is made by its first reservation, never by a visit: that is where a
new workspace starts, and a client address may start only so many per hour
(``CNNVIZ_NEW_WORKSPACES_PER_HOUR``, counted in ``<home>/space/new-workspaces.json``).
Browsers on the server's machine share one address; ``None`` (no browser: a script or a
test) is not limited.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cnnviz import config, limits
from cnnviz.errors import InputError

try:  # advisory lock between processes serving the same home (POSIX only)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
"""What a workspace key looks like (22-64 URL-safe characters)."""
HOUR = 3600.0
STALE_RESERVATION_SECONDS = HOUR  # no write takes this long: its process is gone
_PROCESS = uuid.uuid4().hex[:12]  # tells this process from an earlier one with the same pid
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class ModelMeter(Protocol):
    """What the model store tells about its bytes (:class:`cnnviz.store.ModelStore`)."""

    def usage(self, owner: str) -> int:
        """Bytes of the models ``owner`` created."""

    def total_bytes(self) -> int:
        """Bytes of every model."""


def workspaces_root() -> Path:
    """Folder of all workspaces (``cnnviz.config.home() / "workspaces"``)."""
    return config.home() / "workspaces"


def workspace_folder(owner: str) -> Path | None:
    """The folder of workspace ``owner``, or None when ``owner`` is not a workspace key.

    A script's or a test's plain owner name has no workspace: its writes are checked
    against the server's budget and free space only.
    """
    if isinstance(owner, str) and KEY_PATTERN.match(owner):
        return workspaces_root() / owner
    return None


def tree_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (links not followed; 0 when it does not exist)."""
    total = 0
    if not folder.exists():
        return 0
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            continue  # removed while we looked
    return total


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the thread lock for ``path`` and an exclusive ``flock`` on it (not re-entrant)."""
    with _THREAD_LOCKS_GUARD:
        lock = _THREAD_LOCKS.setdefault(str(path), threading.Lock())
    with lock:
        if fcntl is None:
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _space_dir() -> Path:
    return config.home() / "space"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _pending(now: float, exclude: Path | None = None) -> dict[str, int]:
    """Bytes reserved by writes in progress, per workspace key (``"-"``: no workspace).

    ``exclude`` is a reservation left out (one being resized).

    Reservations of a dead process, of an earlier process with this pid, or older than
    :data:`STALE_RESERVATION_SECONDS` are removed.
    """
    out: dict[str, int] = {}
    folder = _space_dir() / "reserved"
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        if path == exclude:
            continue
        try:
            key, pid, process, _ = path.name.split(".")
            stale = now - path.stat().st_mtime > STALE_RESERVATION_SECONDS
            if int(pid) == os.getpid():
                stale = stale or process != _PROCESS
            else:
                stale = stale or not _pid_alive(int(pid))
            if stale:
                path.unlink(missing_ok=True)
                continue
            out[key] = out.get(key, 0) + int(path.read_text() or 0)
        except (OSError, ValueError):
            continue  # given back while we looked, or not ours
    return out


def _started_recently(ledger: dict, address: str, now: float) -> list[float]:
    return sorted(t for t in ledger.get(address, []) if now - t < HOUR)


def _open_workspace(folder: Path, address: str | None, now: float) -> None:
    """Make the workspace's folder (its start), if the client's address may start one.

    Called under the server lock.
    """
    if folder.is_dir():
        return
    limit = limits.new_workspaces_per_hour()
    if address and limit is not None:
        path = _space_dir() / "new-workspaces.json"
        try:
            ledger = json.loads(path.read_text())
        except (OSError, ValueError):
            ledger = {}
        if not isinstance(ledger, dict):
            ledger = {}
        ledger = {a: _started_recently(ledger, a, now) for a in ledger}
        recent = ledger.get(address, [])
        wait = HOUR - (now - recent[0]) if recent else 0.0
        limits.check_new_workspaces(address, len(recent), limit, wait)
        ledger[address] = [*recent, now]
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps({a: t for a, t in ledger.items() if t}))
        os.replace(tmp, path)
    folder.mkdir(parents=True, exist_ok=True)


@dataclass
class Reservation:
    """Bytes set aside for one write into a workspace, until :meth:`release`.

    Attributes:
        key: the workspace key (``"-"`` for an owner that is not a workspace).
        nbytes: the bytes reserved.
    """

    key: str
    nbytes: int
    _folder: Path | None = field(repr=False)
    _models: ModelMeter | None = field(repr=False)
    _clock: Callable[[], float] = field(repr=False)
    _path: Path | None = field(default=None, repr=False)

    def _check_and_record(self, nbytes: int) -> None:
        """Check that ``nbytes`` (instead of what this holds now) fit, and record them."""
        now = self._clock()
        own = contextlib.nullcontext() if self._folder is None else _locked(self._folder / ".lock")
        with own, _locked(_space_dir() / "lock"):
            pending = _pending(now, exclude=self._path)  # its own bytes are being replaced
            models = self._models
            if self._folder is not None:
                used = (models.usage(self.key) if models is not None else 0) + tree_bytes(
                    self._folder
                )
                limits.check_quota(used + pending.get(self.key, 0), nbytes)
            everyone = workspaces_root() if self._folder is None else self._folder.parent
            held = (models.total_bytes() if models is not None else 0) + tree_bytes(everyone)
            reserved = sum(pending.values())
            free = shutil.disk_usage(config.home()).free
            limits.check_budget(held + reserved, nbytes, limits.disk_budget_bytes(free + held))
            limits.check_free_space(free - reserved, nbytes)
            if self._path is None:
                name = f"{self.key}.{os.getpid()}.{_PROCESS}.{uuid.uuid4().hex[:12]}"
                self._path = _space_dir() / "reserved" / name
                self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.write_text(str(int(nbytes)))
            self.nbytes = int(nbytes)

    def resize(self, nbytes: int) -> None:
        """Hold ``nbytes`` instead, e.g. once a write's real size is known.

        Growing is checked again like a new reservation; shrinking always succeeds.

        Raises:
            InputError: a limit is reached (the reservation keeps its earlier size).
        """
        if nbytes <= self.nbytes and self._path is not None:
            with contextlib.suppress(OSError):
                self._path.write_text(str(int(nbytes)))
                self.nbytes = int(nbytes)
            return
        self._check_and_record(nbytes)

    def release(self) -> None:
        """Give the bytes back (the write is on disk now, or it failed)."""
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None
            self.nbytes = 0


def check_free_space(nbytes: int) -> None:
    """The free-space check alone, for a small write into a workspace that exists.

    Kept settings are written on every change a student makes: walking every workspace
    for the quota and the budget each time would cost more than the few KB they take.

    Raises:
        InputError: the write would leave less free space than the margin.
    """
    limits.check_free_space(shutil.disk_usage(config.home()).free, nbytes)


@contextlib.contextmanager
def reserve(
    owner: str,
    nbytes: int,
    *,
    folder: Path | None = None,
    models: ModelMeter | None = None,
    address: str | None = None,
    clock: Callable[[], float] = time.time,
) -> Iterator[Reservation]:
    """Set ``nbytes`` aside for a write into workspace ``owner``, for the ``with`` block.

    Write inside the block; the reservation is given back when it ends (the bytes are
    then on disk, or the write failed and left nothing).

    Args:
        owner: the workspace key (another owner name: only the server's limits apply).
        nbytes: bytes about to be written (an upper estimate; see
            :meth:`Reservation.resize`).
        folder: the workspace's folder (default :func:`workspace_folder`, none for an
            owner that is not a workspace key); made here if missing: the workspace starts.
        models: the model store, whose models count towards the quota and the budget.
        address: the client's address, for the limit on new workspaces (None: unknown).
        clock: the UNIX time now (tests pass their own).

    Raises:
        InputError: the quota, the server's budget, its free space or the limit on new
            workspaces would be passed (the message says which and what to do).
    """
    folder = workspace_folder(owner) if folder is None else folder
    key = folder.name if folder is not None else "-"
    started = folder is not None and not folder.is_dir()
    if started:
        with _locked(_space_dir() / "lock"):
            _open_workspace(folder, address, clock())
    reservation = Reservation(key, 0, folder, models, clock)
    try:
        reservation._check_and_record(int(nbytes))
    except InputError:
        if started:  # refused before anything was written: the workspace did not start
            with contextlib.suppress(OSError):
                (folder / ".lock").unlink(missing_ok=True)
                folder.rmdir()
        raise
    try:
        yield reservation
    finally:
        reservation.release()
