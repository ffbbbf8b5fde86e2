"""Take it home: the model as .keras and TensorFlow Lite (checked), the images as a zip."""

from __future__ import annotations

import json

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnnviz import myclasses
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.navigation import PAGES
from cnnviz.ui.common.text import plain
from cnnviz.ui.myclasses.state import FULL_HINT, PREFIX, flash, show_flashes

TFLITE = "model.tflite"
TFLITE_CHECK = "tflite_check.json"


def _tflite_check(project: myclasses.Project, trained_at: float) -> dict | None:
    """The kept check of the .tflite file, if it was converted from the current training."""
    try:
        check = json.loads((project.model_dir / TFLITE_CHECK).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ok = check.get("trained_at") == trained_at and (project.model_dir / TFLITE).is_file()
    return check if ok else None


def _convert(project: myclasses.Project, model: ImageModel, trained_at: float) -> None:
    try:
        with busy_sign("Converting to TensorFlow Lite and comparing it on your images…"):
            data = myclasses.tflite_bytes(model)
            check = myclasses.check_tflite(project, model, data)
            project.write_file(project.model_dir / TFLITE, data)
            record = {**check.__dict__, "trained_at": trained_at, "bytes": len(data)}
            project.write_file(project.model_dir / TFLITE_CHECK, json.dumps(record).encode())
    except InputError as exc:
        flash("error", str(exc) + (FULL_HINT if "full" in str(exc) else ""), "exports")
    st.rerun()


def exports_ui(project: myclasses.Project, model: ImageModel | None) -> None:
    """Downloads: the dataset zip always; the .keras and .tflite files once trained."""
    show_flashes("exports")
    record = myclasses.trained_record(project)
    row = st.container(horizontal=True)
    row.download_button(
        "Images (.zip)",
        data=lambda: myclasses.dataset_zip_bytes(project),
        file_name="my_classes.zip",
        mime="application/zip",
        key=f"{PREFIX}_zip_download",
        icon=":material/folder_zip:",
        help="Your images in the course layout, train/<class>/…: the Train and Transfer "
        "learning pages read it back (Your own .zip).",
    )
    if model is None or record is None:
        st.caption("Train to export the model.")
        return
    row.download_button(
        "Model (.keras)",
        data=lambda: myclasses.keras_bytes(model),
        file_name="my_classes.keras",
        mime="application/octet-stream",
        key=f"{PREFIX}_keras_download",
        icon=":material/download:",
        help="keras.models.load_model('my_classes.keras'); inputs are 224×224 RGB pixels "
        "preprocessed as EfficientNet-Lite0 wants them.",
    )
    trained_at = float(record.get("trained_at", 0))
    check = _tflite_check(project, trained_at)
    if check is None:
        if row.button(
            "Convert to TensorFlow Lite", key=f"{PREFIX}_tflite", icon=":material/smartphone:"
        ):
            _convert(project, model, trained_at)
        return
    path = project.model_dir / TFLITE
    row.download_button(
        "Model (.tflite)",
        data=path.read_bytes,
        file_name="my_classes.tflite",
        mime="application/octet-stream",
        key=f"{PREFIX}_tflite_download",
        icon=":material/smartphone:",
    )
    same, compared = check["same_top1"], check["compared"]
    text = (
        f"TensorFlow Lite check: the same top-1 class as the Keras model on {same} of "
        f"{compared} of your images (up to {myclasses.CHECK_PER_CLASS} per class); largest "
        f"difference of a probability {check['max_difference']:.1e}."
    )
    (st.success if same == compared else st.warning)(plain(text))


#: The pages that pick a stored model and look inside it (navigation keys).
LOOK_INSIDE = ("gradcam", "activations", "featureviz", "playground")


def look_inside_ui(project: myclasses.Project, model: ImageModel | None) -> None:
    """Put the trained model among the workspace's models, then link the pages that use it."""
    if model is None or myclasses.trained_record(project) is None:
        return
    show_flashes("look_inside")
    titles = [PAGES.get(k).title for k in LOOK_INSIDE]
    pages = ", ".join(titles[:-1]) + " and " + titles[-1]
    model_id = myclasses.stored_model_id(project)
    if model_id is None:
        if st.button(
            "Look inside it on the other pages",
            key=f"{PREFIX}_to_store",
            icon=":material/visibility:",
            help=f"Adds this model to your workspace's models, where {pages} pick it.",
        ):
            try:
                with busy_sign("Adding the model to your models…"):
                    myclasses.save_to_store(project, model)
                flash("success", f"Added to your models: {pages} now open on it.", "look_inside")
            except InputError as exc:
                flash("error", str(exc) + (FULL_HINT if "full" in str(exc) else ""), "look_inside")
            st.rerun()
        return
    name = project.store.info(model_id, project.workspace.key)["name"] if project.store else ""
    st.caption(
        plain(f"In your models as “{name}”. Look inside it on:") if name else "Look inside it on:"
    )
    row = st.container(horizontal=True)
    for key in LOOK_INSIDE:
        spec = PAGES.get(key)
        with row:
            try:
                st.page_link(spec.path, label=spec.title, icon=f":material/{spec.icon}:")
            except StreamlitAPIException:  # the page is not in this run's navigation
                st.markdown(f"**{plain(spec.title)}**")


def code_ui(project: myclasses.Project) -> None:
    """'The code': the same training in plain Keras, on the zip exported above.

    The source is a :class:`~cnnviz.codegen.training_code.TrainingSource` for a zip in the
    course layout (``ZIP_PATH`` at the top of the script) with the feature-extraction
    settings the Train button uses (:func:`cnnviz.myclasses.training_config`).
    """
    from cnnviz.codegen.training_code import TrainingSource
    from cnnviz.ui.common.code_export import code_expander

    classes = [c for c in project.classes() if c.count]
    if len(classes) < 2:
        return
    size = myclasses.STORED_SIDE
    source = TrainingSource(
        "zip", myclasses.training_config(project), {}, (size, size, 3), len(classes)
    )
    code_expander(source, key=PREFIX)
