"""The classes: make, rename and delete them; each one's count and a strip of thumbnails."""

from __future__ import annotations

import streamlit as st

from cnnviz import myclasses
from cnnviz.errors import InputError
from cnnviz.ui.common.text import plain
from cnnviz.ui.myclasses.state import FULL_HINT, PREFIX, flash, show_flashes

STRIP = 12  # thumbnails in a class's strip (the newest)
PAGE_SIZE = 24  # thumbnails per page when reviewing a class


def new_class_ui(project: myclasses.Project) -> None:
    """A field and a button that make a new class."""
    with st.form(f"{PREFIX}_new_class", clear_on_submit=True, border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        name = left.text_input(
            "New class", key=f"{PREFIX}_new_name", placeholder="e.g. thumbs up, my cat, a pen"
        )
        if right.form_submit_button("Add class", icon=":material/add:", width="stretch"):
            try:
                project.add_class(name)
                flash("success", f"Class “{name.strip()}” made: now add images to it.", "classes")
            except InputError as exc:
                flash("error", str(exc) + (FULL_HINT if "full" in str(exc) else ""), "classes")
            st.rerun()


def _rename(project: myclasses.Project, class_id: str) -> None:
    key = f"{PREFIX}_name_{class_id}"
    try:
        project.rename_class(class_id, st.session_state[key])
    except InputError as exc:
        flash("error", str(exc), "classes")
        st.session_state[key] = project.name_of(class_id)


def class_card(project: myclasses.Project, info: myclasses.ClassInfo) -> None:
    """One class: its name (editable), count, newest thumbnails, review and delete."""
    with st.container(border=True):
        top = st.columns([3, 1, 1], vertical_alignment="bottom")
        key = f"{PREFIX}_name_{info.id}"
        if key not in st.session_state:
            st.session_state[key] = info.name
        top[0].text_input(
            "Class name", key=key, on_change=_rename, args=(project, info.id),
            label_visibility="collapsed",
        )  # fmt: skip
        top[1].markdown(f"**{info.count}** image{'s' if info.count != 1 else ''}")
        if top[2].button("Delete", key=f"{PREFIX}_delete_{info.id}", icon=":material/delete:"):
            project.delete_class(info.id)
            st.session_state.pop(key, None)
            flash("success", f"Class “{info.name}” deleted.", "classes")
            st.rerun()
        thumbs = project.thumbnails(info.id, last=STRIP)
        if thumbs:
            st.image([t for _, t in reversed(thumbs)], width=56)
        else:
            st.caption("No images yet: add some below (camera, files or a zip).")
        if info.count:
            with st.expander(f"Review {plain(info.name)}'s images and remove bad ones"):
                review_ui(project, info)


def review_ui(project: myclasses.Project, info: myclasses.ClassInfo) -> None:
    """Thumbnails page by page, each with a checkbox; the ticked ones are removed."""
    ids = project.image_ids(info.id)
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(
            st.number_input(
                f"Page (of {pages}, newest first)", 1, pages, 1, key=f"{PREFIX}_page_{info.id}"
            )
        )
    shown = list(reversed(ids))[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ticked = []
    for row in range(0, len(shown), 8):
        for col, image_id in zip(st.columns(8), shown[row : row + 8], strict=False):
            with col:
                try:
                    st.image(project.thumb_path(info.id, image_id).read_bytes(), width="stretch")
                except OSError:
                    continue
                if st.checkbox("remove", key=f"{PREFIX}_tick_{image_id}"):
                    ticked.append(image_id)
    if st.button(
        f"Remove {len(ticked)} ticked image(s)", key=f"{PREFIX}_remove_{info.id}",
        disabled=not ticked, icon=":material/delete_sweep:",
    ):  # fmt: skip
        removed = project.remove_images(info.id, ticked)
        for image_id in ticked:
            st.session_state.pop(f"{PREFIX}_tick_{image_id}", None)
        flash("success", f"Removed {removed} image(s) from {info.name}.", "classes")
        st.rerun()


def classes_ui(project: myclasses.Project) -> list[myclasses.ClassInfo]:
    """Every class's card, then the field for a new class; returns the classes."""
    show_flashes("classes")
    classes = project.classes()
    for info in classes:
        class_card(project, info)
    if len(classes) < myclasses.MAX_CLASSES:
        new_class_ui(project)
    return classes
