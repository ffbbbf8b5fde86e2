"""Adding images to a class: camera snapshots in a row, many files, or a zip of class folders.

Each source adds what it got at once and starts empty again (its widget gets a new key), so
the camera is live for the next snapshot and a second upload of the same files adds them
again only when the student picks them again.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import images, myclasses
from cnnviz.errors import InputError
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.uploads import release
from cnnviz.ui.myclasses.state import (
    FULL_HINT,
    PREFIX,
    bump,
    counter,
    flash,
    report_added,
    show_flashes,
)

CAMERA = "Camera"
FILES = "Files"
ZIP = "Zip of class folders"


def _failed(exc: InputError) -> None:
    text = str(exc)
    flash("error", text + (FULL_HINT if "full" in text else ""), "add")


def _add(project, class_id: str, name: str, sources) -> None:
    try:
        report_added(project.add_images(class_id, sources), f"“{name}”")
    except InputError as exc:
        _failed(exc)


def camera_ui(project, info: myclasses.ClassInfo) -> None:
    """A camera; each snapshot is added to the class and the camera is ready for the next."""
    shot = st.camera_input(
        f"Take a snapshot for “{info.name}”",
        key=f"{PREFIX}_camera_{counter('camera')}",
        help="Each snapshot is added to the class at once, and the camera is ready again: "
        "take several in a row, moving the object a little each time.",
    )
    if shot is not None:
        _add(project, info.id, info.name, [("snapshot", shot.getvalue())])
        release(shot)
        bump("camera")
        st.rerun()


def files_ui(project, info: myclasses.ClassInfo) -> None:
    """An uploader of many image files at once."""
    files = st.file_uploader(
        f"Image files for “{info.name}”",
        type=list(images.ALLOWED_EXTENSIONS),
        accept_multiple_files=True,
        key=f"{PREFIX}_files_{counter('files')}",
        help="Pick many files at once; they are shrunk to 224 pixels and kept in your workspace.",
    )
    if files and st.button(
        f"Add {len(files)} file(s) to “{info.name}”", key=f"{PREFIX}_add_files", type="primary"
    ):
        _add(project, info.id, info.name, [(f.name, f.getvalue()) for f in files])
        for f in files:
            release(f)
        bump("files")
        st.rerun()


def zip_ui(project) -> None:
    """A zip of class folders: every class in it is added (made when new)."""
    upload = st.file_uploader(
        "A .zip with one folder per class",
        type=["zip"],
        key=f"{PREFIX}_zip_{counter('zip')}",
        help="cats/1.jpg, dogs/2.jpg… or the course layout train/<class>/… (validation/ and "
        "test/ too): each folder's images go to the class of that name, made if new.",
    )
    if upload is not None and st.button(
        "Add the zip's images", key=f"{PREFIX}_add_zip", type="primary"
    ):
        try:
            with busy_sign("Reading the zip…"):
                result = myclasses.add_zip(project, upload)
            report_added(result, "their classes")
        except InputError as exc:
            _failed(exc)
        release(upload)
        bump("zip")
        st.rerun()


def add_images_ui(project, classes: list[myclasses.ClassInfo]) -> None:
    """Choose a class, then a source: camera, files, or a zip (which names its own classes)."""
    show_flashes("add")
    source = st.radio(
        "Add images from", [CAMERA, FILES, ZIP], horizontal=True, key=f"{PREFIX}_source"
    )
    if source == ZIP:
        zip_ui(project)
        return
    if not classes:
        st.info("Make a class first (above), or add a zip of class folders.")
        return
    names = {c.id: c.name for c in classes}
    chosen = st.radio(
        "Add to class",
        list(names),
        format_func=names.get,
        horizontal=True,
        key=f"{PREFIX}_target",
    )
    info = next(c for c in classes if c.id == chosen)
    if source == FILES:
        files_ui(project, info)
    else:
        camera_ui(project, info)
