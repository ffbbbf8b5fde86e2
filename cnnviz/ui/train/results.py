"""A finished job's evaluation: metrics, report, confusion matrix, example grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz.training import (
    TrainingJob,
)
from cnnviz.ui.common import training_plots
from cnnviz.ui.common.snapshots_viewer import snapshot_viewer_ui
from cnnviz.ui.common.text import duration, plain
from cnnviz.ui.train.state import enlarge


def _cell_from_selection(selection, class_names: list[str]) -> tuple[int, int] | None:
    points = (selection or {}).get("selection", {}).get("points", []) if selection else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, dict):  # the browser may send an array as {"0": .., "1": ..}
            data = [data.get("0", data.get(0)), data.get("1", data.get(1))]
        if isinstance(data, (list, tuple)) and len(data) >= 2 and None not in data[:2]:
            return int(data[0]), int(data[1])
        x, y = point.get("x"), point.get("y")
        if x in class_names and y in class_names:
            return class_names.index(y), class_names.index(x)
    return None


def _image_grid(images: np.ndarray, captions: list[str], side: int = 96) -> None:
    if len(images) == 0:
        st.caption("No images here.")
        return
    st.image(list(enlarge(images, side)), caption=captions, width=side)


def results_ui(job: TrainingJob, prefix: str = "train") -> None:
    """Test metrics, classification report, interactive confusion matrix, example grids.

    Args:
        job: a finished or stopped job.
        prefix: start of this section's session-state keys (one per page that shows it).
    """
    res = job.result
    if res is None:
        return
    ev = res.evaluation
    ds = job.dataset
    names = [str(c) for c in ev.class_names]
    st.subheader("How well does it do on the test images?")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Test accuracy", f"{res.test_accuracy:.1%}")
    c2.metric("Test loss", f"{res.test_loss:.3f}")
    c3.metric("Epochs", f"{res.epochs_run}" + (" (stopped)" if res.status == "stopped" else ""))
    c4.metric("Training time", duration(res.seconds))
    if res.model_id:
        memory = (
            f" It trained on {plain(job.where)} (that process's peak memory so far: "
            f"{job.peak_rss_mb:,.0f} MB)."
            if job.peak_rss_mb
            else ""
        )
        st.caption(
            f"Saved as **{plain(job.name)}** in your models: explore it on the Activations, "
            f"Filter visualization and Grad-CAM pages.{memory}"
        )
        with st.expander("Watch it learn: scrub through the epochs", expanded=True):
            snapshot_viewer_ui(prefix, res.model_id, names)
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Classification report** (scikit-learn)")
        st.dataframe(
            pd.DataFrame(ev.report_rows()),
            hide_index=True,
            column_config={
                k: st.column_config.NumberColumn(k, format="%.3f")
                for k in ("precision", "recall", "f1-score")
            },
        )
        st.caption(
            "Precision: of the images predicted as this class, the share that really are. "
            "Recall: of the images of this class, the share found. F1: their harmonic mean."
        )
    with right:
        normalize = st.toggle("Show shares per true class", key=f"{prefix}_cm_normalize")
        fig = training_plots.confusion_figure(ev.confusion_matrix(), names, normalize)
        selection = st.plotly_chart(
            fig,
            key=f"{prefix}_cm_{job.id}",
            on_select="rerun",
            selection_mode="points",
        )
        cell = _cell_from_selection(selection, names)
        applied = st.session_state.get(f"{prefix}_cm_applied")
        if cell is not None and applied != (job.id, cell):
            st.session_state[f"{prefix}_cm_applied"] = (job.id, cell)
            st.session_state[f"{prefix}_cm_true"] = names[cell[0]]
            st.session_state[f"{prefix}_cm_pred"] = names[cell[1]]
    st.markdown("**Images behind a cell** — click a cell above, or choose:")
    any_class = "(any)"
    for key in (f"{prefix}_cm_true", f"{prefix}_cm_pred"):
        if st.session_state.get(key) not in (None, any_class, *names):
            st.session_state[key] = any_class  # a class of an earlier job's dataset
    s1, s2 = st.columns(2)
    true_name = s1.selectbox("True class", [any_class, *names], key=f"{prefix}_cm_true")
    pred_name = s2.selectbox("Predicted class", [any_class, *names], key=f"{prefix}_cm_pred")
    idx = ev.examples(
        true_class=None if true_name == any_class else names.index(true_name),
        predicted_class=None if pred_name == any_class else names.index(pred_name),
        limit=24,
    )
    total = len(
        ev.examples(
            true_class=None if true_name == any_class else names.index(true_name),
            predicted_class=None if pred_name == any_class else names.index(pred_name),
        )
    )
    st.caption(f"{total} test images, most confident first (showing up to 24).")
    _image_grid(ds.x_test[idx], _captions(ev, idx, names))
    wrong, right_tab = st.tabs(["Mistakes", "Correct predictions"])
    with wrong:
        idx = ev.examples(correct=False, limit=24)
        st.caption(
            "The most confident mistakes first. Caption: true class→predicted class, and "
            "the confidence of the prediction."
        )
        _image_grid(ds.x_test[idx], _captions(ev, idx, names))
    with right_tab:
        idx = ev.examples(correct=True, limit=24, most_confident=False)
        st.caption("The least confident correct predictions first: near the decision border.")
        _image_grid(ds.x_test[idx], _captions(ev, idx, names))


def _captions(ev, idx, names) -> list[str]:
    return [
        plain(f"{names[ev.y_true[i]]}→{names[ev.y_pred[i]]} {ev.confidence[i]:.0%}") for i in idx
    ]
