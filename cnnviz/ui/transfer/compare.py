"""Every saved run on the page's dataset, compared in a table and a bar chart."""

from __future__ import annotations

import math

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
    """Test accuracy per run, coloured by mode, with its errors written on the bar.

    Bars of accuracy (not of errors) so the chart is never empty, even when every run gets
    every test image right. The axis starts a little below the weakest run, so a few
    errors' difference shows (hover: accuracy, errors, seconds, trainable params).
    """
    fig = go.Figure()
    labels = [f"{i + 1}. {r['mode']} · {r['base']}" for i, r in enumerate(rows)]
    for mode in dict.fromkeys(r["mode"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["mode"] == mode]
        fig.add_bar(
            x=[labels[i] for i in idx],
            y=[rows[i]["test accuracy"] for i in idx],
            name=mode,
            marker_color=MODE_COLOURS.get(mode, "#b279a2"),
            text=[
                f"{rows[i]['test accuracy']:.1%} · {rows[i]['errors']} of "
                f"{rows[i]['test images']} wrong"
                for i in idx
            ],
            textposition="outside",
            customdata=[
                [rows[i]["errors"], rows[i]["seconds"], rows[i]["trainable params"]] for i in idx
            ],
            hovertemplate="%{x}<br>test accuracy %{y:.1%}<br>%{customdata[0]} errors"
            "<br>%{customdata[1]:.0f} s<br>%{customdata[2]:,} trainable params<extra></extra>",
        )
    # From a round tenth below the weakest run to a little above 100 % (room for the text).
    low = max(0.0, math.floor((min(r["test accuracy"] for r in rows) - 0.05) * 10) / 10)
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "test accuracy", "tickformat": ".0%", "range": [low, 1 + 0.15 * (1 - low)]},
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
    first = datasets.get(transfer.DEFAULT_DATASET)
    st.caption(
        "The courses' experiment: errors fall going from the frozen base to fine-tuning. "
        f"On the first dataset, {first.title}, the default settings of each way show it, and "
        "a network trained from scratch on the Train page (listed here as `scratch`) stays "
        "far behind: its default 20 images per class are too few to learn shapes from nothing "
        "(`bench/transfer_ways.py`). Open any run on the Grad-CAM page to see where it looks."
    )
