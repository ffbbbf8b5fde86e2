"""The page's dataset picker: digits (offline), MNIST or Fashion-MNIST."""

from __future__ import annotations

import streamlit as st

from cnnviz import datasets
from cnnviz.errors import InputError
from cnnviz.ui.autoencoder.state import DATASETS, PREFIX, key_of
from cnnviz.ui.common import dataset_options
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.data import load_builtin
from cnnviz.ui.train.state import widget_default

# A subset of MNIST or Fashion-MNIST trains faster on a CPU.
_DEFAULTS = {"n_train": 10000}


def dataset_ui() -> datasets.Dataset | None:
    """Pick digits (offline), MNIST or Fashion-MNIST; returns the loaded set or None."""
    infos = {i.name: i for i in datasets.available() if i.name in DATASETS}

    def label(name: str) -> str:
        info = infos[name]
        where = "offline" if info.offline else ("cached" if info.cached else "download")
        return f"{info.title} · {where}"

    c1, c2 = st.columns(2)
    name = c1.selectbox(
        "Dataset", list(infos), format_func=label, key=widget_default(key_of("dataset"), "digits")
    )
    with c2:
        options = dataset_options.options_ui(
            infos[name].spec, PREFIX, defaults=_DEFAULTS, fixed=DATASETS[name] or None, where=c2
        )
        if DATASETS[name]:
            st.caption("1,797 scikit-learn digits, upscaled to 28 × 28 and framed like MNIST.")
    try:
        return load_builtin(infos[name], options, prefix=PREFIX)
    except InputError as err:
        st.error(plain(err), icon=":material/cloud_off:")
        return None
