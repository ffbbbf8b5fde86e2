"""Choosing the models to compare: the list, "Select all" and the note on missing weights.

A model whose weight file is not on the server is marked in the list, and "Select all" leaves
it out: offline, picking it can only fail. One note names the missing files and the folder
they go in, in full, so a teacher can place them by hand.
"""

from __future__ import annotations

import re

import streamlit as st

from cnnviz import pretrained
from cnnviz.ui.common.pretrained_models import model_label

KEY = "pretrained_models"
_SELECT_ALL_KEY = "pretrained_select_all"
_PICKED_ONLY_BUNDLED = "pretrained_select_all_only_bundled"


def model_choice() -> list[str]:
    """The model list with a "Select all" that picks only the models that can run now.

    Returns:
        The chosen catalogue keys, in list order.
    """
    names = [m.name for m in pretrained.available()]
    st.session_state.setdefault(KEY, [pretrained.BUNDLED])
    chosen = st.multiselect(
        "Models to compare",
        names,
        format_func=model_label,
        key=KEY,
        # Streamlit's own "Select all" would also pick the models whose weights are missing.
        select_all=False,
        help="Pick several to compare them side by side. Larger models are slower on this "
        "server. A model marked “weights not downloaded” downloads its file when picked, "
        "if the server has internet.",
    )
    missing = pretrained.missing_weights()
    st.button(
        "Select all that can run now",
        key=_SELECT_ALL_KEY,
        on_click=_select_runnable,
        help="Picks every model whose weights are on this server; the ones marked "
        "“weights not downloaded” are left out.",
    )
    if st.session_state.pop(_PICKED_ONLY_BUNDLED, False) and missing:
        st.caption(
            f"Only {pretrained.info(pretrained.BUNDLED).title} can run now: the other "
            f"{len(missing)} models need their weight files first (see below)."
        )
    if missing:
        missing_weights_note(missing)
    return chosen


def _select_runnable() -> None:
    runnable = [m.name for m in pretrained.available() if pretrained.is_cached(m.name)]
    st.session_state[KEY] = runnable
    st.session_state[_PICKED_ONLY_BUNDLED] = runnable == [pretrained.BUNDLED]


def missing_weights_note(missing: list[pretrained.ModelInfo]) -> None:
    """One note: which models lack weights, their files and where to get them, the folder."""
    total_mb = sum(entry.download_mb for entry in missing)
    files = ", ".join(
        f"{_code(e.weight_file)} ([{e.download_mb:g} MB]({e.weight_url}))" for e in missing
    )
    folder = _code(str(pretrained.keras_models_dir()))
    count = f"{len(missing)} model" + ("s" if len(missing) > 1 else "")
    st.info(
        f"**{count} without weights on this server** ({total_mb:g} MB in all), marked "
        "“weights not downloaded” in the list. "
        "When the server has internet, picking one in the list downloads its file once. "
        "Without internet, download the files on another computer (each size below is its "
        f"link): {files}. Copy them, with these names, into the folder {folder} on this "
        "server; the list then shows them as “weights cached”.",
        icon=":material/cloud_off:",
    )


def _code(text: str) -> str:
    """``text`` as a Markdown code span: shown character for character, never shortened."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
