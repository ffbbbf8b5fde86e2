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
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.data import cached_dataset
from cnnviz.ui.train.state import model_store

PALETTE = plotly.colors.qualitative.Plotly
# Training and validation of one run: same colour, these dashes.
DASHES = {"train": "solid", "val": "dash"}


def comparison_figure(metas: Sequence[dict], show_gap: bool = False) -> go.Figure:
    """Loss and accuracy of several runs in one figure (and their overfitting gap).

    One colour per run; its training curve solid, its validation curve dashed.

    Args:
        metas: stored metadata of the runs (their ``history``).
        show_gap: add a third panel with validation loss minus training loss.

    Returns:
        A plotly figure; trace ``meta`` is ``{"run": id, "series": name}``.
    """
    cols = 3 if show_gap else 2
    titles = ("Loss", "Accuracy", "Overfitting gap (val − train loss)")[:cols]
    fig = make_subplots(rows=1, cols=cols, subplot_titles=titles)
    for i, (meta, label) in enumerate(zip(metas, runs.run_labels(metas), strict=True)):
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
                    name=f"{label} · {what}",
                    legendgroup=meta.get("id", label),
                    meta={"run": meta.get("id"), "series": key},
                    hovertemplate=f"{label}<br>{what} {key.replace('val_', '')}: "
                    "%{y:.3f}<br>epoch %{x}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text="epoch", row=1, col=col)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


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


def _same_again_ui(meta: dict, prefix: str, busy: bool) -> None:
    changes = runs.available_changes(meta)
    if not changes:
        st.caption("This model has no stored training settings (an upload): nothing to rerun.")
        return
    st.markdown(f"**Same again, but …** (reruns “{plain(meta.get('name'))}” with one change)")
    cols = st.columns(len(changes))
    for col, change in zip(cols, changes, strict=True):
        if col.button(
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
                start_job(ds, cfg, prefix=prefix, name=runs.same_again_name(meta, change))
            except InputError as err:
                st.error(str(err), icon=":material/block:")
                return
            st.session_state[f"{prefix}_compare_pending"] = meta["id"]
            st.rerun()


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
    chosen = [i for i in st.session_state.get(key, []) if i in by_id]
    if not chosen:
        chosen = [m["id"] for m in metas[:2]]
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
    st.caption("One colour per run: training solid, validation dashed.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Settings that differ**")
        diff = runs.settings_diff(picked) if len(picked) > 1 else []
        if diff:
            st.dataframe(pd.DataFrame(diff), hide_index=True)
        else:
            st.caption("Pick two runs with different settings to see what differs.")
    with right:
        st.markdown("**Final test metrics**")
        rows = []
        for meta, label in zip(picked, runs.run_labels(picked), strict=True):
            metrics = runs.final_test_metrics(meta)
            table = runs.history_table(meta)
            gap = [g for g in table["gap"] if not math.isnan(g)]
            rows.append(
                {
                    "run": label,
                    **metrics,
                    "final gap": gap[-1] if gap else math.nan,
                }
            )
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                "test accuracy": st.column_config.NumberColumn(format="percent"),
                "test loss": st.column_config.NumberColumn(format="%.3f"),
                "final gap": st.column_config.NumberColumn(format="%.3f"),
            },
        )
    base = picked[0]
    _same_again_ui(base, prefix, busy)
    st.download_button(
        f"History of “{labels[base['id']]}” as CSV",
        data=runs.history_csv(base),
        file_name=f"{_slug(labels[base['id']])}_history.csv",
        mime="text/csv",
        key=f"{prefix}_compare_csv",
        icon=":material/download:",
        on_click="ignore",
    )
