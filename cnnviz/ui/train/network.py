"""Train page, section 2: the architecture picker and the layer-table editor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import architectures, datasets
from cnnviz.ui.train.state import SPEC_COLUMNS


def _spec_from_editor(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if isinstance(value, np.generic):
                value = value.item()
            row[key] = value
        if row:
            rows.append(row)
    return rows


PENDING_ACTIVATION = "train_pending_activation"


def use_activation_everywhere(name: str) -> None:
    """Ask the Train page's layer table to use one activation in every layer (next visit)."""
    st.session_state[PENDING_ACTIVATION] = name
    st.session_state["train_custom"] = True


def _set_activation(name: str) -> None:
    """Put ``name`` in the activation column of every convolution and hidden dense row."""
    state = st.session_state
    frame = state.get("train_spec_saved", state["train_spec_base"]).copy()
    rows = frame["type"].isin(["conv2d", "dense"])
    frame.loc[rows, "activation"] = name
    state["train_all_activation"] = name  # the box says what the layers use
    state["train_spec_base"] = frame
    state["train_spec_saved"] = frame
    state.pop("train_spec_editor", None)


def _activation_everywhere_ui() -> None:
    c1, c2, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
    name = c1.selectbox(
        "Activation for every layer", architectures.ACTIVATIONS, key="train_all_activation"
    )
    c2.button(
        "Use this activation everywhere",
        key="train_all_activation_apply",
        on_click=_set_activation,
        args=(name,),
        help="Sets the activation of every convolution and hidden dense layer, so the same "
        "network can be trained with each activation and the runs compared.",
    )


def architecture_ui(ds: datasets.Dataset, dropout: float | None) -> tuple[str | list, bool]:
    """Pick a preset or edit the layer table, with a live summary table.

    Args:
        ds: the dataset (its input shape and class count shape the network).
        dropout: the dropout override of the settings (None: keep the architecture's).

    Returns:
        (architecture, ok): a preset name or a layer spec, and whether it fits the data.
    """
    names = architectures.available()
    preset = st.selectbox(
        "Architecture",
        names,
        format_func=lambda n: architectures.preset(n).title,
        key="train_arch",
    )
    info = architectures.preset(preset)
    st.caption(info.description)
    custom = st.toggle(
        "Edit the layers",
        key="train_custom",
        help="Start from this preset and change, add or remove layers. The output layer is "
        "added for you.",
    )
    if custom:
        if st.session_state.get("train_spec_for") != preset:
            st.session_state["train_spec_for"] = preset
            st.session_state["train_spec_base"] = pd.DataFrame(
                architectures.preset_spec(preset), columns=SPEC_COLUMNS
            )
            st.session_state["train_spec_saved"] = st.session_state["train_spec_base"]
            st.session_state.pop("train_spec_editor", None)
        pending = st.session_state.pop(PENDING_ACTIVATION, None)
        if pending in architectures.ACTIVATIONS:
            _set_activation(pending)
        col = st.column_config
        frame = st.data_editor(
            st.session_state["train_spec_base"],
            num_rows="dynamic",
            hide_index=True,
            key="train_spec_editor",
            column_config={
                "type": col.SelectboxColumn("type", options=architectures.LAYER_TYPES),
                "filters": col.NumberColumn("filters", min_value=1, max_value=1024, step=1),
                "kernel": col.NumberColumn("kernel", min_value=1, max_value=15, step=1),
                "stride": col.NumberColumn("stride", min_value=1, max_value=8, step=1),
                "padding": col.SelectboxColumn("padding", options=architectures.PADDINGS),
                "activation": col.SelectboxColumn("activation", options=architectures.ACTIVATIONS),
                "rate": col.NumberColumn("dropout rate", min_value=0.0, max_value=0.95),
                "units": col.NumberColumn("units", min_value=1, max_value=8192, step=1),
                "l1": col.NumberColumn("L1", min_value=0.0, max_value=1.0, format="%g"),
                "l2": col.NumberColumn("L2", min_value=0.0, max_value=1.0, format="%g"),
            },
        )
        _activation_everywhere_ui()
        st.session_state["train_spec_saved"] = frame
        spec = _spec_from_editor(frame)
        architecture: str | list = spec
    else:
        spec = architectures.preset_spec(preset)
        architecture = preset
    if dropout is not None:
        spec = architectures.apply_hyperparameters(spec, dropout=dropout)
    problems = architectures.validate_spec(spec, ds.input_shape, ds.num_classes)
    if problems:
        for problem in problems:
            st.warning(problem, icon=":material/warning:")
        return architecture, False
    table = architectures.spec_summary(spec, ds.input_shape, ds.num_classes)
    total = sum(r["params"] for r in table)
    with st.expander(f"Summary: {len(table) - 1} layers, {total:,} parameters", expanded=custom):
        st.dataframe(
            pd.DataFrame(table),
            hide_index=True,
            column_config={
                "params": st.column_config.NumberColumn("parameters", format="localized")
            },
        )
    return architecture, True
