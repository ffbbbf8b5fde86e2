"""A workspace's own classes: their names and images, kept on disk in the workspace.

Layout (``<workspace>/myclasses/``)::

    project.json                 {"classes": [{"id", "name"}, ...]}, in the order shown
    images/<class id>/<image id>.jpg    each image, longer side ≤ 224 px (pictures.STORED_SIDE)
    thumbs/<class id>/<image id>.jpg    its 64-px thumbnail
    features.npz                 the base's features of every image met so far (features.py)
    model/head.npz, model/model.json    the trained head and what it was trained on

A class's folder is named by a random id, so renaming a class moves nothing. Every write
reserves its bytes first (:meth:`cnnviz.workspaces.Workspace.reserve`), so the workspace's
quota holds and a full workspace says so (``InputError``) before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.myclasses import pictures
from cnnviz.workspaces import Workspace

FOLDER = "myclasses"
MANIFEST = "project.json"
MAX_CLASSES = 20
#: Most images one project holds (all classes together).
MAX_IMAGES = 5000
MAX_NAME_LENGTH = 40
#: Images written under one reservation (a reservation walks the workspace's files).
ADD_BATCH = 64
_FORBIDDEN = re.compile(r'[/\\:*?"<>|\x00-\x1f]')
_ID = re.compile(r"^[0-9a-f]{8}$")
_IMAGE_ID = re.compile(r"^[0-9a-f]{16}_[0-9a-f]{12}$")


@dataclass(frozen=True)
class ClassInfo:
    """One class: its id (its folder), its name and how many images it holds."""

    id: str
    name: str
    count: int


@dataclass
class Added:
    """What an addition did: images added, and the files skipped with the reason why."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)
    classes_made: list[str] = field(default_factory=list)


def check_name(name: object) -> str:
    """A class name, stripped; ``InputError`` when it cannot name a class (or a zip folder)."""
    text = str(name or "").strip()
    if not text:
        raise InputError("Give the class a name, e.g. “thumbs up”.")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(
            f"A class name is at most {MAX_NAME_LENGTH} characters; this has {len(text)}."
        )
    if _FORBIDDEN.search(text) or text in (".", ".."):
        raise InputError(
            f'“{text}” cannot name a class: leave out / \\ : * ? " < > | (the name becomes a '
            "folder in the exported zip)."
        )
    return text


class Project:
    """The classes and images of one workspace (see the module docstring for the files).

    Args:
        workspace: whose classes these are.
        store: the model store, whose models count towards the workspace's quota.
        address: the browser's address, for the limit on new workspaces (None: a script).
        base: the transfer base the classes are trained on (the bundled one by default).
    """

    def __init__(
        self,
        workspace: Workspace,
        store=None,
        address: str | None = None,
        base: str = pretrained.BUNDLED,
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.address = address
        self.base = base

    # ---- files -------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """``<workspace>/myclasses``."""
        return self.workspace.folder / FOLDER

    @property
    def model_dir(self) -> Path:
        """Where the trained head and its record live."""
        return self.folder / "model"

    def _class_dir(self, kind: str, class_id: str) -> Path:
        if not _ID.match(str(class_id)):
            raise InputError(f"There is no class {class_id!r}.")
        return self.folder / kind / class_id

    def image_path(self, class_id: str, image_id: str) -> Path:
        """The stored JPEG of an image."""
        self._check_image_id(image_id)
        return self._class_dir("images", class_id) / f"{image_id}{pictures.SUFFIX}"

    def thumb_path(self, class_id: str, image_id: str) -> Path:
        """The thumbnail JPEG of an image."""
        self._check_image_id(image_id)
        return self._class_dir("thumbs", class_id) / f"{image_id}{pictures.SUFFIX}"

    @staticmethod
    def _check_image_id(image_id: str) -> None:
        if not _IMAGE_ID.match(str(image_id)):
            raise InputError(f"There is no image {image_id!r}.")

    @contextlib.contextmanager
    def reserve(self, nbytes: int):
        """Reserve ``nbytes`` in the workspace for a write (``InputError`` at the quota)."""
        with self.workspace.reserve(int(nbytes), self.store, self.address) as reservation:
            yield reservation

    def write_file(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` atomically, its bytes reserved first."""
        with self.reserve(len(data) + 512):
            _atomic_write(path, data)

    # ---- classes -----------------------------------------------------------------------

    def _manifest(self) -> dict:
        try:
            data = json.loads((self.folder / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return {"classes": []}
        classes = [
            c
            for c in data.get("classes", [])
            if isinstance(c, dict) and _ID.match(str(c.get("id", ""))) and c.get("name")
        ]
        return {**data, "classes": classes}

    def _save_manifest(self, data: dict) -> None:
        self.write_file(self.folder / MANIFEST, json.dumps(data, indent=1).encode("utf-8"))

    def classes(self) -> list[ClassInfo]:
        """The classes in the order they were made, with their image counts."""
        return [
            ClassInfo(c["id"], c["name"], len(self.image_ids(c["id"])))
            for c in self._manifest()["classes"]
        ]

    def class_names(self) -> list[str]:
        """The names of the classes, in order."""
        return [c["name"] for c in self._manifest()["classes"]]

    def class_id(self, name: str) -> str | None:
        """The id of the class named ``name`` (case and spaces ignored), or None."""
        wanted = str(name).strip().casefold()
        for c in self._manifest()["classes"]:
            if c["name"].casefold() == wanted:
                return c["id"]
        return None

    def name_of(self, class_id: str) -> str:
        """The name of a class (``InputError`` for an unknown id)."""
        for c in self._manifest()["classes"]:
            if c["id"] == class_id:
                return c["name"]
        raise InputError("This class no longer exists; it may have been deleted in another tab.")

    def add_class(self, name: str) -> str:
        """Make a new, empty class; returns its id.

        Raises:
            InputError: an unusable or taken name, or already :data:`MAX_CLASSES` classes.
        """
        name = check_name(name)
        data = self._manifest()
        if self.class_id(name) is not None:
            raise InputError(f"There is already a class named “{name}”.")
        if len(data["classes"]) >= MAX_CLASSES:
            raise InputError(f"A project holds at most {MAX_CLASSES} classes.")
        class_id = secrets.token_hex(4)
        data["classes"].append({"id": class_id, "name": name})
        self._save_manifest(data)
        return class_id

    def rename_class(self, class_id: str, name: str) -> None:
        """Give a class a new name (its images stay where they are)."""
        name = check_name(name)
        self.name_of(class_id)
        other = self.class_id(name)
        if other is not None and other != class_id:
            raise InputError(f"There is already a class named “{name}”.")
        data = self._manifest()
        for c in data["classes"]:
            if c["id"] == class_id:
                c["name"] = name
        self._save_manifest(data)

    def delete_class(self, class_id: str) -> None:
        """Delete a class and all its images."""
        self.name_of(class_id)
        data = self._manifest()
        data["classes"] = [c for c in data["classes"] if c["id"] != class_id]
        self._save_manifest(data)
        for kind in ("images", "thumbs"):
            shutil.rmtree(self._class_dir(kind, class_id), ignore_errors=True)

    # ---- images ------------------------------------------------------------------------

    def image_ids(self, class_id: str) -> list[str]:
        """A class's image ids, oldest first."""
        folder = self._class_dir("images", class_id)
        try:
            names = [e.name for e in os.scandir(folder) if e.name.endswith(pictures.SUFFIX)]
        except OSError:
            return []
        ids = [n[: -len(pictures.SUFFIX)] for n in names]
        return sorted(i for i in ids if _IMAGE_ID.match(i))

    def image_count(self) -> int:
        """Images of all classes together."""
        return sum(c.count for c in self.classes())

    def add_images(self, class_id: str, sources, *, on_error: str = "skip") -> Added:
        """Add uploaded files, camera snapshots or RGB arrays to a class.

        Each is decoded, shrunk and stored (:func:`cnnviz.myclasses.pictures.encode`); the
        bytes of each group of :data:`ADD_BATCH` are reserved before they are written.

        Args:
            class_id: the class.
            sources: an iterable of ``(name, source)``: ``source`` is bytes, a path, a file
                object or an (H, W, 3) uint8 array.
            on_error: ``"skip"`` lists the files that are not usable images in
                ``Added.skipped`` (with the reason) and adds the rest; ``"raise"`` raises
                the first one's ``InputError``.

        Raises:
            InputError: the class does not exist, the project is full, or the workspace's
                quota would be passed (nothing of that group is written).
        """
        self.name_of(class_id)
        result = Added()
        room = MAX_IMAGES - self.image_count()
        batch: list[pictures.Encoded] = []
        for name, source in sources:
            if room - result.added - len(batch) <= 0:
                self._write_images(class_id, batch, result)
                raise InputError(
                    f"A project holds at most {MAX_IMAGES:,} images; {result.added} were "
                    "added before it was full. Remove some to add others."
                )
            try:
                batch.append(pictures.encode(source, name=str(name)))
            except InputError as exc:
                if on_error == "raise":
                    raise
                result.skipped.append(str(exc))
            if len(batch) >= ADD_BATCH:
                self._write_images(class_id, batch, result)
                batch = []
        self._write_images(class_id, batch, result)
        return result

    def _write_images(self, class_id: str, batch: list[pictures.Encoded], result: Added) -> None:
        if not batch:
            return
        with self.reserve(sum(e.nbytes for e in batch) + 4096 * len(batch)):
            for enc in batch:
                _atomic_write(self.thumb_path(class_id, enc.image_id), enc.thumb)
                _atomic_write(self.image_path(class_id, enc.image_id), enc.jpeg)
        result.added += len(batch)
        batch.clear()

    def remove_images(self, class_id: str, image_ids) -> int:
        """Delete images of a class; returns how many were there."""
        removed = 0
        for image_id in image_ids:
            path = self.image_path(class_id, image_id)
            if path.is_file():
                removed += 1
            path.unlink(missing_ok=True)
            self.thumb_path(class_id, image_id).unlink(missing_ok=True)
        return removed

    def thumbnails(self, class_id: str, last: int | None = None) -> list[tuple[str, bytes]]:
        """``(image id, thumbnail JPEG bytes)`` of a class, oldest first (the ``last`` ones)."""
        ids = self.image_ids(class_id)
        if last is not None:
            ids = ids[-int(last) :] if last > 0 else []
        out = []
        for image_id in ids:
            with contextlib.suppress(OSError):
                out.append((image_id, self.thumb_path(class_id, image_id).read_bytes()))
        return out

    def labelled_images(self) -> list[tuple[int, str, Path]]:
        """Every image as ``(class index, image id, path)``, class by class."""
        out = []
        for index, info in enumerate(self.classes()):
            for image_id in self.image_ids(info.id):
                out.append((index, image_id, self.image_path(info.id, image_id)))
        return out


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
