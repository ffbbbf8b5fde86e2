"""Picking one of the workspace's stored autoencoders (the latest run first)."""

from __future__ import annotations

import streamlit as st

from cnnviz import autoencoder
from cnnviz.ui.autoencoder.state import key_of
from cnnviz.ui.common.session import session_id
from cnnviz.ui.train.state import model_store


def stored_autoencoders() -> list[dict]:
    """Metadata of the autoencoders this workspace may see, newest first."""
    return [m for m in model_store().list(session_id()) if autoencoder.is_autoencoder(m)]


def model_choice_ui(latest_id: str | None) -> dict | None:
    """Pick a stored autoencoder (the latest run first); returns its metadata or None."""
    metas = stored_autoencoders()
    if not metas:
        return None
    by_id = {str(m["id"]): m for m in metas}
    state = st.session_state
    if latest_id in by_id and state.get(key_of("shown_latest")) != latest_id:
        state[key_of("shown_latest")] = latest_id
        state[key_of("model")] = latest_id  # a run that just finished is what one wants to see
    if state.get(key_of("model")) not in by_id:
        state[key_of("model")] = next(iter(by_id))

    def label(model_id: str) -> str:
        meta = by_id[model_id]
        metrics = meta.get("test_metrics") or {}
        mse = metrics.get("mse")
        extra = f" · test MSE {mse:.4f}" if isinstance(mse, (int, float)) else ""
        return f"{meta.get('name', model_id)}{extra}"

    chosen = st.selectbox("Autoencoder", list(by_id), format_func=label, key=key_of("model"))
    return by_id[chosen]
