"""The layers of the network (the course's or the lighter one), their shapes, the bottleneck."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import autoencoder, datasets
from cnnviz.training import TrainingConfig


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer_rows(input_shape: tuple, filters: int, network: str) -> list[dict]:
    model = autoencoder.build_model(input_shape, filters, network=network)
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


def param_count(input_shape: tuple, network: str, filters: int = 32) -> int:
    """Parameters of a network for images of ``input_shape`` (built once, then cached)."""
    rows = _layer_rows(tuple(int(v) for v in input_shape), int(filters), network)
    return sum(r["params"] for r in rows)


def network_ui(ds: datasets.Dataset, cfg: TrainingConfig) -> None:
    """The layers of the chosen network, with their output shapes."""
    settings = cfg.autoencoder
    shape = tuple(int(v) for v in ds.input_shape)
    rows = _layer_rows(shape, int(settings.filters), settings.network)
    table = pd.DataFrame(rows)
    h, w, c = (int(v) for v in ds.input_shape)
    neck = next(r["output"] for r in rows if r["layer"] == autoencoder.BOTTLENECK)
    st.caption(
        f"Encoder: {h} × {w} × {c} → **{neck}** (the bottleneck: {h * w * c:,} pixels "
        f"squeezed into {int(np.prod([int(v) for v in neck.split(' × ')])):,} numbers); "
        f"decoder: back to {h} × {w} × {c}. {int(table['params'].sum()):,} parameters"
        + (
            " (the course's network: leaky ReLU 0.1 after each hidden Conv2D, one more "
            "Conv2D at the bottleneck's size, linear Conv2DTranspose layers, a sigmoid output)."
            if settings.network == "course"
            else " (the lighter network, not the course's: ReLU throughout, no extra Conv2D)."
        )
    )
    st.dataframe(table, hide_index=True, width="stretch")
