"""Train in seconds, then point the camera: probabilities live, with Grad-CAM beside them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import images, myclasses
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.gradcam_overlay import show_gradcam_overlay
from cnnviz.ui.common.text import plain, plain_html
from cnnviz.ui.common.uploads import release
from cnnviz.ui.myclasses.state import FULL_HINT, PREFIX, bump, counter, flash, show_flashes

CAMERA = "Camera"
FILE = "A file"


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_model(key: str, trained_at: float, names: tuple[str, ...], base: str):
    """The trained model of workspace ``key``'s classes (built again after a training).

    ``trained_at`` and ``names`` are only part of the cache key: a new training or a
    renamed class gives a new entry.
    """
    from cnnviz.workspaces import Workspace

    return myclasses.load_model(myclasses.Project(Workspace(key), base=base))


def trained_model(project: myclasses.Project) -> ImageModel | None:
    """The project's trained model, shared by reruns until it is trained again."""
    record = myclasses.trained_record(project)
    if record is None:
        return None
    names = tuple(c.name for c in project.classes())
    with busy_sign("Loading your model…"):
        return _cached_model(
            project.workspace.key, float(record.get("trained_at", 0)), names, project.base
        )


def train_ui(project: myclasses.Project, classes: list[myclasses.ClassInfo]) -> None:
    """The Train button, what the last training did, and whether images changed since."""
    show_flashes("train")
    record = myclasses.trained_record(project)
    stale = myclasses.is_stale(project, record)
    left, right = st.columns([1, 3], vertical_alignment="center")
    pressed = left.button(
        "Train", type="primary", icon=":material/model_training:", key=f"{PREFIX}_train",
        width="stretch",
    )  # fmt: skip
    if record is None:
        right.caption(
            "Feature extraction on the bundled EfficientNet-Lite0: each image goes through the "
            "pretrained base once (its features are kept), then a small head learns your "
            "classes in seconds."
        )
    elif stale:
        right.warning("Images or classes changed since the last training: train again.")
    else:
        right.caption(plain(_summary(record.get("result", {}))))
    if not pressed:
        return
    try:
        myclasses.check_trainable(project)
        bar = st.progress(0.0, text="Looking at your images…")

        def progress(p: myclasses.FeatureProgress) -> None:
            bar.progress(
                p.done / max(1, p.total), text=f"New images seen by the base: {p.done} of {p.total}"
            )

        def waiting(ahead: int) -> None:
            bar.progress(0.0, text=_waiting_text(ahead))

        with busy_sign("Training…"):
            result = myclasses.train(project, progress=progress, waiting=waiting)
        bar.empty()
        flash("success", "Trained. " + _summary(result.__dict__), "train")
    except InputError as exc:
        flash("error", str(exc) + (FULL_HINT if "full" in str(exc) else ""), "train")
    st.rerun()


def _waiting_text(ahead: int) -> str:
    """What a student whose training waits for a place reads."""
    at_once = myclasses.PLACES.capacity
    others = "1 classmate's training is" if ahead == 1 else f"{ahead} classmates' trainings are"
    pace = "one at a time" if at_once == 1 else f"{at_once} at a time"
    return (
        f"Waiting for a free place: {others} ahead of yours (this server trains own classes "
        f"{pace}). Yours starts by itself; keep this page open."
    )


def _summary(result: dict) -> str:
    parts = [f"{result.get('images', 0)} images trained the head"]
    if result.get("held_out"):
        acc = result.get("held_out_accuracy")
        parts.append(f"{acc:.0%} right on {result['held_out']} held-out images")
    else:
        parts.append("no images held out (a class has fewer than 5)")
    parts.append(
        f"{result.get('extracted', 0)} new image(s) through the base, "
        f"{result.get('seconds', 0):.1f} s"
    )
    return "; ".join(parts) + "."


def probability_figure(model: ImageModel, probs: np.ndarray) -> go.Figure:
    """One horizontal bar per class, its probability in percent."""
    names = [plain_html(n) for n in model.class_names]
    fig = go.Figure(
        go.Bar(
            x=probs * 100, y=names, orientation="h",
            text=[f"{p:.0%}" for p in probs], textposition="auto",
        )
    )  # fmt: skip
    fig.update_layout(
        height=60 + 34 * len(names), margin=dict(l=10, r=10, t=10, b=30),
        xaxis=dict(range=[0, 100], title="probability (%)"), yaxis=dict(autorange="reversed"),
    )  # fmt: skip
    return fig


def try_it_ui(project: myclasses.Project) -> None:
    """Point the camera (or pick a file): probabilities and Grad-CAM for each new snapshot."""
    model = trained_model(project)
    if model is None:
        st.info("Train first: then point the camera at something and see what it says.")
        return
    source = st.radio("Show it", [CAMERA, FILE], horizontal=True, key=f"{PREFIX}_try_source")
    if source == CAMERA:
        shot = st.camera_input("Point the camera and take a snapshot", key=f"{PREFIX}_try_camera")
    else:
        shot = st.file_uploader(
            "An image to classify", type=list(images.ALLOWED_EXTENSIONS),
            key=f"{PREFIX}_try_file_{counter('try_file')}",
        )  # fmt: skip
    if shot is None:
        return
    try:
        image = images.load_image(shot.getvalue(), max_side=myclasses.STORED_SIDE)
    except InputError as exc:
        st.error(plain(exc))
        return
    with busy_sign("Asking your model…"):
        probs = model.predict_proba(image)[0]
    best = int(probs.argmax())
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{plain(model.class_names[best])}** ({probs[best]:.0%})")
        st.plotly_chart(probability_figure(model, probs), key=f"{PREFIX}_probs")
    with right:
        show_gradcam_overlay(model, image)
    if source == FILE and st.button("Another file", key=f"{PREFIX}_try_again"):
        release(shot)
        bump("try_file")
        st.rerun()
