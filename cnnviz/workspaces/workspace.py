"""A workspace: its unguessable key, its folder, what it stores and how much room it takes."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cnnviz import config, limits
from cnnviz.errors import InputError

KEY_BYTES = 18  # 144 bits of randomness
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
TOUCH_FILE = ".touched"
DATASET_FILE = "archive.zip"  # kept by datasets.from_zip(keep="archive")
DATASET_OPTIONS = "archive.json"
_TOUCHED: dict[str, float] = {}


def new_key() -> str:
    """A fresh workspace key: 144 random bits, URL-safe (24 characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


def is_valid_key(key: object) -> bool:
    """True for a string that could be a workspace key (22-64 URL-safe characters)."""
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def root() -> Path:
    """Folder of all workspaces (``cnnviz.config.home() / "workspaces"``)."""
    return config.home() / "workspaces"


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
        """The workspace's own folder (created on first use)."""
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
        """Mark the workspace as used now (written at most every ``every`` seconds)."""
        now = time.time()
        if now - _TOUCHED.get(str(self.folder), 0.0) < every:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
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
        return _tree_bytes(self.datasets_dir)

    def usage(self, store=None) -> int:
        """Bytes the workspace uses: its models in ``store`` plus its datasets."""
        models = store.usage(self.key) if store is not None else 0
        return models + self.datasets_bytes()

    def check_quota(self, store=None, adding: int = 0) -> None:
        """Refuse ``adding`` more bytes when the quota would be exceeded (InputError)."""
        limits.check_quota(self.usage(store), adding)

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


def _tree_bytes(folder: Path) -> int:
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


def forget_touched(folder: Path) -> None:
    """Forget when the workspace in ``folder`` was last touched here (it was deleted)."""
    _TOUCHED.pop(str(folder), None)
