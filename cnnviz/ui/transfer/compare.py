"""Every saved run on the page's dataset, compared in a table and a bar chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cnnviz import datasets, transfer
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.state import model_store
from cnnviz.ui.transfer.state import key_of

MODE_COLOURS = {
    "features": "#4c78a8",
    "frozen": "#f58518",
    "finetune": "#54a24b",
    "scratch": "#9d9d9d",
}


def compare_figure(rows: list[dict]) -> go.Figure:
    """Test errors per run, coloured by mode (hover: accuracy, seconds, trainable params)."""
    fig = go.Figure()
    labels = [f"{i + 1}. {r['mode']} · {r['base']}" for i, r in enumerate(rows)]
    for mode in dict.fromkeys(r["mode"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["mode"] == mode]
        fig.add_bar(
            x=[labels[i] for i in idx],
            y=[rows[i]["errors"] for i in idx],
            name=mode,
            marker_color=MODE_COLOURS.get(mode, "#b279a2"),
            text=[f"{rows[i]['errors']} / {rows[i]['test images']}" for i in idx],
            textposition="outside",
            customdata=[
                [rows[i]["test accuracy"], rows[i]["seconds"], rows[i]["trainable params"]]
                for i in idx
            ],
            hovertemplate="%{x}<br>errors %{y}<br>test accuracy %{customdata[0]:.1%}"
            "<br>%{customdata[1]:.0f} s<br>%{customdata[2]:,} trainable params<extra></extra>",
        )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "test errors", "range": [0, max(1, max(r["errors"] for r in rows)) * 1.25]},
        xaxis={"categoryorder": "array", "categoryarray": labels},
        legend_title_text="mode",
    )
    return fig


def compare_ui(ds: datasets.Dataset) -> None:
    """Every saved run on this dataset (transfer and from-scratch) in a table and a plot."""
    dataset = {"name": ds.name, "options": dict(getattr(ds, "options", {}) or {})}
    rows = transfer.compare_rows(model_store().list(session_id()), dataset)
    if not rows:
        st.caption(
            f"No runs on **{plain(ds.name)}** yet. Train a few (each mode, or a network from "
            "scratch on the Train page) and compare them here."
        )
        return
    frame = pd.DataFrame(rows).drop(columns=["id"])
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "test accuracy": st.column_config.NumberColumn("test accuracy", format="percent"),
            "seconds": st.column_config.NumberColumn("seconds", format="%.0f"),
            "trainable params": st.column_config.NumberColumn("trainable params", format="%d"),
        },
        key=key_of("compare_table"),
    )
    st.plotly_chart(compare_figure(rows), key=key_of("compare_plot"))
    st.caption(
        "The courses' experiment: errors fall going from the frozen base, to fine-tuning, to "
        "fine-tuning with augmentation. Runs from the Train page on the same data appear as "
        "`scratch`. Open any of them on the Grad-CAM page to see where it looks."
    )
