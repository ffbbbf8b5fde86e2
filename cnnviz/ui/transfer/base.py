"""Choosing the pretrained base and how to train it (features, frozen, fine-tune)."""

from __future__ import annotations

import streamlit as st

from cnnviz import pretrained, transfer
from cnnviz.ui.common.text import plain
from cnnviz.ui.transfer.state import key_of


def base_ui() -> transfer.BaseSpec:
    """Pick the pretrained base; says which file to place where when its weights are missing.

    The plan and the counts are shown even then (they need no weight file); the page only
    trains with a base whose ``offline`` is True.
    """
    specs = {spec.name: spec for spec in transfer.bases()}

    def label(name: str) -> str:
        spec = specs[name]
        if name == pretrained.BUNDLED:
            where = "bundled, works offline"
        elif spec.offline:
            where = "weights in the Keras cache"
        else:
            where = f"needs its weights, {pretrained.info(name).download_mb:g} MB"
        return f"{spec.title} · {spec.input_size[0]}×{spec.input_size[1]} · {where}"

    st.session_state.setdefault(key_of("base"), pretrained.BUNDLED)
    name = st.selectbox("Pretrained base", list(specs), format_func=label, key=key_of("base"))
    spec = specs[name]
    st.caption(
        f"The base is {spec.title} trained on ImageNet, cut below its classifier (at layer "
        f"`{spec.cut_layer}` unless you choose another below). Every image is resized to the "
        f"input size below ({spec.input_size[0]}×{spec.input_size[1]}, its own, unless you "
        "choose another); grayscale images are repeated to three channels."
    )
    if not spec.offline:
        entry = pretrained.info(name)
        st.warning(
            plain(
                f"{pretrained.offline_message(name, 'it is not in the Keras cache yet')} For "
                f"transfer learning the base alone is enough: the smaller file "
                f"{entry.notop_file} (from {entry.notop_url}), in the same folder, will do. "
                "The plan and the parameter counts below need no weight file."
            ),
            icon=":material/cloud_off:",
        )
    return spec


def mode_ui() -> str:
    """The three ways the courses teach, each with one sentence on when to use it."""
    st.session_state.setdefault(key_of("mode"), "features")
    return st.radio(
        "How to train it",
        transfer.MODES,
        format_func=lambda m: transfer.MODE_TITLES[m],
        captions=[transfer.MODE_SENTENCES[m] for m in transfer.MODES],
        key=key_of("mode"),
    )
