"""A workspace: its unguessable key, its folder, what it stores and how much room it takes."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cnnviz import diskspace, limits
from cnnviz.errors import InputError

KEY_BYTES = 18  # 144 bits of randomness
TOUCH_FILE = ".touched"
DATASET_FILE = "archive.zip"  # kept by datasets.from_zip(keep="archive")
DATASET_OPTIONS = "archive.json"
_TOUCHED: dict[str, float] = {}


def new_key() -> str:
    """A fresh workspace key: 144 random bits, URL-safe (24 characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


def is_valid_key(key: object) -> bool:
    """True for a string that could be a workspace key (22-64 URL-safe characters)."""
    return isinstance(key, str) and bool(diskspace.KEY_PATTERN.match(key))


def root() -> Path:
    """Folder of all workspaces (``cnnviz.config.home() / "workspaces"``)."""
    return diskspace.workspaces_root()


@dataclass(frozen=True)
class Workspace:
    """One student's workspace.

    Args:
        key: the workspace key (see :func:`new_key`).
        base: folder of all workspaces (default :func:`root`).

    Raises:
        InputError: when ``key`` is not a well-formed key.
    """

    key: str
    base: Path | None = None

    def __post_init__(self):
        if not is_valid_key(self.key):
            raise InputError(
                "This workspace key is not valid (a key is 22 or more letters, digits, '-' "
                "or '_'). Check the link, or start a new workspace."
            )

    @property
    def folder(self) -> Path:
        """The workspace's own folder, made by its first save (:meth:`reserve`), not by a visit."""
        return Path(self.base or root()) / self.key

    @property
    def datasets_dir(self) -> Path:
        """Uploaded datasets, one sub-folder per archive digest."""
        return self.folder / "datasets"

    @property
    def jobs_dir(self) -> Path:
        """Job records (see :mod:`cnnviz.training.records`)."""
        return self.folder / "jobs"

    def touch(self, every: float = 60.0) -> None:
        """Mark the workspace as used now (written at most every ``every`` seconds).

        A workspace that never saved anything has no folder, and a visit makes none.
        """
        now = time.time()
        if now - _TOUCHED.get(str(self.folder), 0.0) < every or not self.folder.is_dir():
            return
        (self.folder / TOUCH_FILE).touch()
        _TOUCHED[str(self.folder)] = now

    def last_used(self) -> float | None:
        """When the workspace was last used (a UNIX time), or None if it has no folder."""
        try:
            return (self.folder / TOUCH_FILE).stat().st_mtime
        except OSError:
            try:
                return self.folder.stat().st_mtime
            except OSError:
                return None

    def dataset_dir(self, digest: str) -> Path:
        """Where the uploaded archive with this digest (hex) is kept."""
        if not re.fullmatch(r"[0-9a-f]{8,64}", str(digest)):
            raise InputError(f"There is no uploaded dataset {digest!r}.")
        return self.datasets_dir / digest

    def datasets_bytes(self) -> int:
        """Bytes the uploaded datasets take on disk."""
        return diskspace.tree_bytes(self.datasets_dir)

    def usage(self, store=None) -> int:
        """Bytes the workspace uses: its models in ``store`` plus its folder (datasets...)."""
        models = store.usage(self.key) if store is not None else 0
        return models + diskspace.tree_bytes(self.folder)

    def check_quota(self, store=None, adding: int = 0) -> None:
        """Refuse ``adding`` more bytes when the quota would be exceeded (InputError).

        Only a hint: a write reserves its bytes with :meth:`reserve`, which checks again.
        """
        limits.check_quota(self.usage(store), adding)

    @contextlib.contextmanager
    def reserve(
        self,
        nbytes: int,
        store=None,
        address: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Iterator[diskspace.Reservation]:
        """Set ``nbytes`` aside for a write into this workspace (:func:`diskspace.reserve`).

        The first one makes the workspace's folder, if ``address`` may start a new
        workspace; each checks the quota (models in ``store`` included), the server's budget
        and its free space.

        Raises:
            InputError: a limit would be passed.
        """
        with diskspace.reserve(
            self.key, nbytes, folder=self.folder, models=store, address=address, clock=clock
        ) as reservation:
            yield reservation

    def saved_datasets(self) -> list[dict]:
        """Uploaded datasets kept in the workspace, newest first.

        Returns:
            ``[{"digest", "name", "path", "bytes", "created"}]``; half-written or damaged
            files are left out.
        """
        out = []
        if not self.datasets_dir.is_dir():
            return out
        for folder in self.datasets_dir.iterdir():
            path = folder / DATASET_FILE
            if not path.is_file():
                continue
            try:
                name = str(json.loads((folder / DATASET_OPTIONS).read_text("utf-8"))["name"])
            except (OSError, KeyError, ValueError, TypeError):
                continue  # half-written or damaged
            st = path.stat()
            out.append(
                {
                    "digest": folder.name,
                    "name": name,
                    "path": path,
                    "bytes": st.st_size,
                    "created": st.st_mtime,
                }
            )
        return sorted(out, key=lambda d: d["created"], reverse=True)

    def delete_dataset(self, digest: str) -> None:
        """Delete one uploaded dataset."""
        shutil.rmtree(self.dataset_dir(digest), ignore_errors=True)


def forget_touched(folder: Path) -> None:
    """Forget when the workspace in ``folder`` was last touched here (it was deleted)."""
    _TOUCHED.pop(str(folder), None)
