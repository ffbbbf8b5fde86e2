"""Workspaces: what one student owns on the server, found again by an unguessable key.

A workspace key (``new_key()``, 144 random bits as 24 URL-safe characters) travels in the
page URL, so a reload, a bookmark or the same link on another machine opens the same work.
Anyone holding the key can see and change the workspace: it is a capability, like a
shared-document link. Models in the :class:`cnnviz.store.ModelStore` and training jobs are
owned by the key; the workspace folder holds the rest. The folder is made by the first save
(:meth:`Workspace.reserve`, see :mod:`cnnviz.diskspace`), never by a visit, and every write
reserves its bytes there first::

    home/workspaces/<key>/.touched                 its mtime: when the workspace was last used
    home/workspaces/<key>/datasets/<digest>/archive.zip   an uploaded archive (+ .json)
    home/workspaces/<key>/jobs/<job id>.json       job records (cnnviz.training.records)

:func:`cleanup` deletes workspaces untouched for ``CNNVIZ_WORKSPACE_DAYS`` (models included)
and the leftovers of a crash (``.tmp-*`` folders, ``*.tmp`` files) once they are old enough
that no save can still be writing them; :func:`maybe_cleanup` runs it at most hourly.
"""

from __future__ import annotations

from cnnviz.workspaces import retention
from cnnviz.workspaces.retention import (
    CLEANUP_EVERY_SECONDS,
    TMP_MAX_AGE_SECONDS,
    cleanup,
    maybe_cleanup,
)
from cnnviz.workspaces.workspace import (
    DATASET_FILE,
    DATASET_OPTIONS,
    KEY_BYTES,
    TOUCH_FILE,
    Workspace,
    forget_touched,
    is_valid_key,
    new_key,
    root,
)

__all__ = [
    "CLEANUP_EVERY_SECONDS",
    "DATASET_FILE",
    "DATASET_OPTIONS",
    "KEY_BYTES",
    "TMP_MAX_AGE_SECONDS",
    "TOUCH_FILE",
    "Workspace",
    "cleanup",
    "forget_touched",
    "is_valid_key",
    "maybe_cleanup",
    "new_key",
    "retention",
    "root",
]
