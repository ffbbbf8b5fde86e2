"""Every layer's output for one image, computed once and cached, and what is derived from it.

Activations are pure functions of (model, image), so they are cached on a model key
(:func:`cnnviz.ui.common.model_picker.model_key`) and an image digest; the model and the image
themselves are passed as underscore arguments, which Streamlit does not hash. All layers come
from ONE forward pass kept (read-only) with ``st.cache_resource``, a few images at a time;
per-layer pictures and tables derived from them are small and use ``st.cache_data``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import activations, models
from cnnviz.models import ImageModel


@st.cache_resource(max_entries=4, show_spinner="Running the image through every layer…")
def all_activations(
    model_key: str, digest: str, _model: ImageModel, _image: np.ndarray
) -> dict[str, np.ndarray]:
    """Every layer's output for one image from one forward pass (read-only arrays).

    Args:
        model_key: names the model (cache key).
        digest: names the image (cache key).
        _model: the model.
        _image: (H, W, 3) uint8 RGB.

    Returns:
        ``{layer key: (H, W, C) or (C,) float32}``, batch axis removed.
    """
    acts = activations.layer_activations(_model, _image)
    out = {}
    for name, value in acts.items():
        arr = np.asarray(value[0], dtype=np.float32)
        arr.setflags(write=False)  # shared between sessions
        out[name] = arr
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(model_key: str, digest: str, _model: ImageModel, _image: np.ndarray):
    """One row per layer: type, output shape, parameters, mean activation, channels at zero.

    Columns: ``layer, type, output, params, mean`` (mean activation over the image) and
    ``at zero`` ("k of C" channels that are zero everywhere).

    Returns:
        A ``pandas.DataFrame``.
    """
    acts = all_activations(model_key, digest, _model, _image)
    rows = []
    for i, info in enumerate(models.layer_infos(_model)):
        act = acts.get(info.name)
        stats = None
        if act is not None and act.ndim in (1, 3):
            stats = activations.channel_stats(act)
        rows.append(
            {
                "#": i,
                "layer": info.name,
                "type": info.class_name,
                "output": "×".join("?" if d is None else str(d) for d in info.output_shape),
                "params": info.params,
                "mean": None if stats is None else float(stats.mean.mean()),
                "at zero": None if stats is None else f"{stats.dead_count} of {stats.channels}",
            }
        )
    return pd.DataFrame(rows).set_index("#")


@st.cache_data(max_entries=32, show_spinner=False)
def layer_grid(
    model_key: str,
    digest: str,
    layer: str,
    channels: tuple[int, ...],
    scale: str,
    _model: ImageModel,
    _image: np.ndarray,
) -> activations.ChannelGrid:
    """The channel mosaic of one layer for one image (see :func:`activations.channel_grid`)."""
    act = all_activations(model_key, digest, _model, _image)[layer]
    return activations.channel_grid(act, channels=list(channels), scale=scale)


@st.cache_data(max_entries=32, show_spinner=False)
def layer_stats(
    model_key: str, digest: str, layer: str, _model: ImageModel, _image: np.ndarray
) -> activations.ChannelStats:
    """Per-channel mean, max and dead channels of one layer for one image."""
    return activations.channel_stats(all_activations(model_key, digest, _model, _image)[layer])
