"""The layer plan: parameter counts and which layers of the base train."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz import datasets, transfer
from cnnviz.training import TrainingConfig
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.transfer.state import key_of


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_plan(config: transfer.TransferConfig, num_classes: int) -> transfer.Plan:
    return transfer.describe(config, num_classes)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_cut_layers(base: str, input_size: int | None) -> list[str]:
    return transfer.cut_layers(base, input_size)


def cut_layer_choices(base: str, input_size: int | None) -> list[str]:
    """The base's layers with a 4-D output (built with random weights: no download)."""
    with busy_sign("Listing the layers of the base…"):
        return _cached_cut_layers(base, input_size)


def layer_plan(config: transfer.TransferConfig, num_classes: int) -> transfer.Plan:
    """Layer list and parameter counts, counted without the weight file (no download)."""
    with busy_sign("Putting a new head on the base to count its layers…"):
        return _cached_plan(config, num_classes)


def plan_ui(cfg: TrainingConfig, ds: datasets.Dataset) -> None:
    """Parameter summary as the courses print it, and the base's frozen / trainable layers."""
    plan = layer_plan(cfg.transfer, ds.num_classes)
    c1, c2, c3 = st.columns(3)
    c1.metric("Total params", f"{plan.total:,}")
    c2.metric("Trainable params", f"{plan.trainable:,}")
    c3.metric("Non-trainable params", f"{plan.non_trainable:,}")
    trainable_base = sum(r["trainable"] for r in plan.layers)
    h, w = plan.input_size
    title = (
        f"Layers: {len(plan.layers)} in the base ({trainable_base} trainable, {h}×{w} "
        f"input, cut at {plan.cut_layer}), {len(plan.head)} in the new head"
    )
    with st.expander(title, expanded=cfg.transfer.mode == "finetune"):
        rows = []
        for part, items in (("base", plan.layers), ("head", plan.head)):
            for r in items:
                frozen_bn = part == "base" and r["type"] == "BatchNormalization"
                state = "trainable" if r["trainable"] else "frozen"
                if frozen_bn and cfg.transfer.mode == "finetune" and not r["trainable"]:
                    state = "frozen (BatchNorm, inference mode)"
                rows.append({"part": part, **r, "state": state})
        frame = pd.DataFrame(rows).drop(columns=["trainable"])
        st.dataframe(
            frame.iloc[::-1],  # the top of the network first, where fine-tuning starts
            hide_index=True,
            height=320,
            column_config={"params": st.column_config.NumberColumn("params", format="%d")},
            key=key_of("layers"),
        )
        st.code(plan.summary, language=None)
