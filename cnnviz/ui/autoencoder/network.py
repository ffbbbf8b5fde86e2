"""The layers the course builds, with their output shapes and the bottleneck's size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import autoencoder, datasets
from cnnviz.training import TrainingConfig


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer_rows(input_shape: tuple, filters: int) -> list[dict]:
    model = autoencoder.build_model(input_shape, filters)
    rows = []
    for layer in model.layers[1:]:
        shape = tuple(int(v) for v in layer.output.shape[1:])
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output": " × ".join(str(v) for v in shape),
                "params": int(layer.count_params()),
            }
        )
    return rows


def network_ui(ds: datasets.Dataset, cfg: TrainingConfig) -> None:
    """The layers the course builds, with their output shapes."""
    rows = _layer_rows(tuple(int(v) for v in ds.input_shape), int(cfg.autoencoder.filters))
    table = pd.DataFrame(rows)
    h, w, c = (int(v) for v in ds.input_shape)
    neck = next(r["output"] for r in rows if r["layer"] == autoencoder.BOTTLENECK)
    st.caption(
        f"Encoder: {h} × {w} × {c} → **{neck}** (the bottleneck: {h * w * c:,} pixels "
        f"squeezed into {int(np.prod([int(v) for v in neck.split(' × ')])):,} numbers); "
        f"decoder: back to {h} × {w} × {c}. {int(table['params'].sum()):,} parameters."
    )
    st.dataframe(table, hide_index=True, width="stretch")
