"""Fine-tuning a stored transfer model further, keeping its head (the course's second step)."""

from __future__ import annotations

import streamlit as st

from cnnviz import datasets, transfer
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.state import model_store
from cnnviz.ui.transfer.state import key_of

START_KEY = key_of("start_from")


def _second_step_defaults() -> None:
    """The courses' second step: RMSprop at 1e-5, constant, batches of 20."""
    if st.session_state.get(START_KEY):
        st.session_state.update(
            {key_of("optimizer"): "rmsprop", key_of("lr"): 1e-5,
             key_of("schedule"): "constant", key_of("batch"): 20}
        )  # fmt: skip


def stored_start_ui(ds: datasets.Dataset, spec: transfer.BaseSpec) -> dict | None:
    """Pick a stored transfer model (same base and dataset) to fine-tune further.

    Returns:
        Its metadata, or None for a new head.
    """
    metas = {
        meta["id"]: meta
        for meta in model_store().list(session_id())
        if isinstance(meta.get("transfer"), dict)
        and meta.get("base") == spec.name
        and (meta.get("dataset") or {}).get("name") == ds.name
    }
    if st.session_state.get(START_KEY) not in (None, *metas):
        st.session_state[START_KEY] = None
    choice = st.selectbox(
        "Start from",
        [None, *metas],
        key=START_KEY,
        format_func=lambda i: "a new head" if i is None else f"your model “{metas[i]['name']}”",
        on_change=_second_step_defaults,
        help="The courses' second step: train the head on the frozen base and save it, then "
        "unfreeze the top of the base (VGG16's block5: 4 layers) and train on at a small rate "
        "(RMSprop, 1e-5). Your saved transfer runs on this base and dataset are listed.",
    )
    if choice is None:
        return None
    st.caption(
        plain(
            f"“{metas[choice]['name']}” keeps its head and its base settings (input size, cut "
            "layer, head, pixels); the head and base choices above are not used. Only the "
            "layers to fine-tune and the training settings apply."
        )
    )
    return metas[choice]
