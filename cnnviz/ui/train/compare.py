"""Compare runs: stored models' learning curves in one plot, what differs, "same again"."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from cnnviz import datasets, runs
from cnnviz.errors import InputError
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain, plain_html
from cnnviz.ui.train.data import cached_dataset
from cnnviz.ui.train.state import model_store

PALETTE = plotly.colors.qualitative.Plotly
# Training and validation of one run: same colour, these dashes.
DASHES = {"train": "solid", "val": "dash"}
LEGEND_TITLE = "One colour per run: training solid, validation dashed"
# Compared runs up to which the two tables sit side by side (more would not fit at 1024 px).
SIDE_BY_SIDE_RUNS = 3


def comparison_figure(metas: Sequence[dict], show_gap: bool = False) -> go.Figure:
    """Loss and accuracy of several runs in one figure (and their overfitting gap).

    One colour per run, and one legend entry per run under its short label
    (:func:`cnnviz.runs.short_run_labels`); its training curve solid, its validation curve
    dashed, as the legend's title says once. The legend sits above the panels, clear of the
    axis titles.

    Args:
        metas: stored metadata of the runs (their ``history``).
        show_gap: add a third panel with validation loss minus training loss.

    Returns:
        A plotly figure; trace ``meta`` is ``{"run": id, "series": name}``; of each run's
        traces only the first has ``showlegend`` (they share its ``legendgroup``).
    """
    cols = 3 if show_gap else 2
    y_titles = ("loss", "accuracy", "gap (val − train loss)")[:cols]
    # Room between panels for the next panel's tick labels and axis title (at 1024 px too).
    fig = make_subplots(rows=1, cols=cols, horizontal_spacing=0.14 if show_gap else 0.16)
    labels = runs.short_run_labels(metas)
    for i, (meta, label, full) in enumerate(
        zip(metas, labels, runs.run_labels(metas), strict=True)
    ):
        table = runs.history_table(meta)
        color = PALETTE[i % len(PALETTE)]
        series = [
            (1, "loss", "train", "training"),
            (1, "val_loss", "val", "validation"),
            (2, "accuracy", "train", "training"),
            (2, "val_accuracy", "val", "validation"),
        ]
        if show_gap:
            series.append((3, "gap", "train", "gap"))
        first = True
        for col, key, kind, what in series:
            y = table[key]
            if not y or all(math.isnan(v) for v in y):
                continue
            fig.add_trace(
                go.Scatter(
                    x=table["epoch"],
                    y=y,
                    mode="lines+markers",
                    line={"color": color, "dash": DASHES[kind], "width": 2},
                    marker={"size": 5},
                    name=plain_html(label),
                    legendgroup=f"run{i}",
                    showlegend=first,
                    meta={"run": meta.get("id"), "series": key},
                    hovertemplate=f"{plain_html(full)}<br>{what} {key.replace('val_', '')}: "
                    "%{y:.3f}<br>epoch %{x}<extra></extra>",
                ),
                row=1,
                col=col,
            )
            first = False
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text="epoch", row=1, col=col)
        fig.update_yaxes(title_text=y_titles[col - 1], row=1, col=col)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(
        height=440,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        # Above the panels, left-aligned: it grows upwards as runs are added and never
        # covers an axis title.
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "title": {"text": LEGEND_TITLE, "side": "top"},
        },
    )
    return fig


def _metrics_table(metas: Sequence[dict], tags: Sequence[str]) -> pd.DataFrame:
    """Final test accuracy, test loss and overfitting gap: a row each, a column per run.

    The values are formatted text ("91.2%", "0.412"; "—" when not stored), so a narrow
    table shows them whole.
    """
    rows = {"test accuracy": [], "test loss": [], "overfitting gap": []}
    for meta in metas:
        metrics = runs.final_test_metrics(meta)
        gap = [g for g in runs.history_table(meta)["gap"] if not math.isnan(g)]
        rows["test accuracy"].append(_number(metrics["test accuracy"], "{:.1%}"))
        rows["test loss"].append(_number(metrics["test loss"], "{:.3f}"))
        rows["overfitting gap"].append(_number(gap[-1] if gap else math.nan, "{:+.3f}"))
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(tags))


def _number(value: float, fmt: str) -> str:
    return "—" if math.isnan(value) else fmt.format(value)


def _markdown_free(table: pd.DataFrame, cells: bool = True) -> pd.DataFrame:
    """The table with its headers (and cells) escaped: ``st.table`` renders Markdown.

    Args:
        table: text to show as it is.
        cells: escape the cells too (``False`` for numbers the page formatted itself).
    """
    out = table.map(plain) if cells else table.copy()
    out.index = [plain(i) for i in table.index]
    out.columns = [plain(c) for c in table.columns]
    return out


def _dataset_of(meta: dict) -> datasets.Dataset:
    """The run's built-in dataset with its options (an uploaded zip cannot be reloaded)."""
    ds = meta.get("dataset") or {}
    name = ds.get("name")
    known = {info.name: info for info in datasets.available()}
    if name not in known:
        raise InputError(
            "This run's data was an upload (or is unknown), so it cannot be rerun from here; "
            "train it again from section 1."
        )
    if not known[name].cached:
        raise InputError(f"{known[name].title} is not downloaded yet: load it in section 1 first.")
    return cached_dataset(name, json.dumps(ds.get("options") or {}, sort_keys=True))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "run"


def _same_again_ui(metas: Sequence[dict], prefix: str, busy: bool) -> dict:
    """The "Same again, but …" buttons for the run the student picks; returns that run."""
    labels = dict(zip([m["id"] for m in metas], runs.run_labels(metas), strict=True))
    by_id = {m["id"]: m for m in metas}
    pick_key = f"{prefix}_again_from"
    if st.session_state.get(pick_key) not in by_id:
        st.session_state[pick_key] = metas[0]["id"]  # the newest of the compared runs
    meta = by_id[
        st.selectbox(
            "Same again, starting from",
            list(by_id),
            format_func=lambda i: labels[i],
            key=pick_key,
            help="The run whose settings the buttons below reuse, with one change.",
        )
    ]
    changes = runs.available_changes(meta)
    if not changes:
        st.caption("This model has no stored training settings (an upload): nothing to rerun.")
        return meta
    st.markdown(f"**Same again, but …** (reruns “{plain(labels[meta['id']])}” with one change)")
    # One row of buttons as wide as their labels, wrapping where the page is narrow (equal
    # columns cut "an MLP instead of the CNN" short at 1024 px).
    row = st.container(horizontal=True)
    for change in changes:
        if row.button(
            runs.CHANGES[change],
            key=f"{prefix}_again_{change}_{meta['id']}",
            disabled=busy,
            help="Wait for the current training to finish." if busy else None,
            icon=":material/replay:",
        ):
            from cnnviz.ui.train.jobs import start_job

            try:
                cfg = runs.same_again(meta, change)
                ds = _dataset_of(meta)
                number = runs.next_run_number(model_store().list(session_id()))
                start_job(ds, cfg, prefix=prefix, name=runs.same_again_name(meta, change, number))
            except InputError as err:
                st.error(str(err), icon=":material/block:")
                return meta
            st.session_state[f"{prefix}_compare_pending"] = meta["id"]
            st.rerun()
    return meta


def compare_runs_ui(prefix: str = "train", busy: bool = False) -> None:
    """Pick stored models and compare their learning curves and settings.

    Args:
        prefix: start of this section's session-state keys (one per page that shows it).
        busy: a job of this page is running (the "same again" buttons wait for it).
    """
    try:
        metas = [
            m
            for m in model_store().list(session_id())
            if m.get("history") and m.get("kind") != "autoencoder"  # not a classifier's loss
        ]
    except OSError as exc:
        st.error(f"The model store cannot be read ({exc}).", icon=":material/block:")
        return
    if not metas:
        st.caption("Train a model first: its learning curves can then be compared here.")
        return
    by_id = {m["id"]: m for m in metas}
    key = f"{prefix}_compare_ids"
    # A finished rerun joins the comparison with the run it came from.
    pending = st.session_state.get(f"{prefix}_compare_pending")
    if (
        pending
        and metas[0]["id"] != pending
        and metas[0].get("created_ts", 0) > by_id.get(pending, {}).get("created_ts", 0)
    ):
        st.session_state[key] = [metas[0]["id"], pending]
        st.session_state.pop(f"{prefix}_compare_pending")
    # Every stored run is offered, newest first; one this section has not seen yet (a run
    # that just finished) joins the comparison at the front.
    seen_key = f"{prefix}_compare_seen"
    seen = set(st.session_state.get(seen_key, ()))
    chosen = [i for i in st.session_state.get(key, []) if i in by_id]
    if not chosen:
        chosen = [m["id"] for m in metas[:2]]
    elif seen:
        new = [m["id"] for m in metas if m["id"] not in seen]
        chosen = list(dict.fromkeys(new + chosen))
        if new:  # "same again" starts from the new run until the student picks another
            st.session_state.pop(f"{prefix}_again_from", None)
    st.session_state[seen_key] = list(by_id)
    st.session_state[key] = chosen
    labels = dict(zip(by_id, runs.run_labels(metas), strict=True))
    ids = st.multiselect(
        "Runs to compare",
        list(by_id),
        format_func=lambda i: f"{labels[i]} · {by_id[i].get('created', '')[:16]}",
        key=key,
    )
    picked = [by_id[i] for i in ids]
    if not picked:
        st.info("Pick at least one run.")
        return
    show_gap = st.toggle(
        "Show the overfitting gap",
        key=f"{prefix}_compare_gap",
        help="Validation loss minus training loss: it grows when the network memorises the "
        "training images instead of learning what generalises.",
    )
    st.plotly_chart(comparison_figure(picked, show_gap), key=f"{prefix}_compare_plot")
    tags = runs.run_tags(picked)
    if len(picked) <= SIDE_BY_SIDE_RUNS:
        left, right = st.columns(2)
    else:
        left = right = st.container()
    with left:
        st.markdown("**Settings that differ**")
        diff = runs.settings_diff(picked, labels=tags) if len(picked) > 1 else []
        if diff:
            st.table(_markdown_free(pd.DataFrame(diff).set_index("setting")))
        else:
            st.caption("Pick two runs with different settings to see what differs.")
    with right:
        st.markdown("**Final test metrics**")
        st.table(_markdown_free(_metrics_table(picked, tags), cells=False))
    base = _same_again_ui(picked, prefix, busy)
    st.download_button(
        f"History of “{labels[base['id']]}” as CSV",
        data=runs.history_csv(base),
        file_name=f"{_slug(labels[base['id']])}_history.csv",
        mime="text/csv",
        key=f"{prefix}_compare_csv",
        icon=":material/download:",
        on_click="ignore",
    )
