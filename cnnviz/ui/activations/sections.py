"""Sections of the Activations page below the layer controls: maps, statistics, kernels.

The page picks the model, the images, the layer and how to colour it (a :class:`LayerView`);
each section here draws one part of what that layer makes of the images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from cnnviz import activations
from cnnviz.errors import InputError
from cnnviz.models import ImageModel, LayerInfo
from cnnviz.ui.activations.cached import all_activations, layer_grid
from cnnviz.ui.activations.plots import grid_figure, kernel_mosaic, map_figure, stats_figure
from cnnviz.ui.common.pixels import enlarge
from cnnviz.ui.common.text import plain


@dataclass(frozen=True)
class LayerView:
    """What the page chose: one layer of one model, seen on one or two images.

    Attributes:
        model: the model; mkey: its cache key (:func:`cnnviz.ui.common.model_picker.model_key`).
        info: the layer; channels: the channel indices shown (lo..hi).
        scale: ``"channel"`` or ``"shared"`` colour range; colorscale: plotly colour scale.
        pictures: the chosen images (``.image``, ``.digest``, ``.caption``, ``.true_label``).
        stats: one :class:`cnnviz.activations.ChannelStats` per picture.
    """

    model: ImageModel
    mkey: str
    info: LayerInfo
    channels: tuple[int, ...]
    scale: str
    colorscale: str
    pictures: Sequence[Any]
    stats: Sequence[activations.ChannelStats]

    @property
    def channels_total(self) -> int:
        """Channels (or units) of the layer's output."""
        return int(self.info.output_shape[-1])


def _grid(view: LayerView, picture, stat, width: int) -> None:
    lo, hi = view.channels[0], view.channels[-1]
    try:
        grid = layer_grid(
            view.mkey,
            picture.digest,
            view.info.name,
            view.channels,
            view.scale,
            view.model,
            picture.image,
        )
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    label = picture.caption + (f" ({picture.true_label})" if picture.true_label else "")
    st.plotly_chart(
        grid_figure(
            grid,
            f"{label}: channels {lo}–{hi}",
            colorscale=view.colorscale,
            width=width,
            dead=stat.dead,
        ),
        width="stretch",
        key=f"act_grid_{picture.digest}_{len(view.pictures)}",
    )


def _zoom_input(view: LayerView) -> int:
    value = st.number_input(
        f"Zoom into channel (0–{view.channels_total - 1})",
        min_value=0,
        max_value=view.channels_total - 1,
        value=int(np.argmax(view.stats[0].mean)),
        step=1,
        key=f"act_zoom_{view.info.name}",
        help="Starts at the channel with the highest mean activation for the first image.",
    )
    return int(value)


def _zoom(view: LayerView, picture, channel: int) -> None:
    maps = all_activations(view.mkey, picture.digest, view.model, picture.image)[view.info.name]
    st.plotly_chart(
        map_figure(
            maps[:, :, channel],
            f"{picture.caption}: channel {channel} ({maps.shape[0]}×{maps.shape[1]})",
            colorscale=view.colorscale,
            height=380,
        ),
        width="stretch",
        key=f"act_zoomfig_{picture.digest}_{len(view.pictures)}",
    )


def channel_maps_section(view: LayerView) -> None:
    """The layer's channel maps as a mosaic per image, and one channel enlarged."""
    info, pictures = view.info, view.pictures
    st.subheader(f"Channel maps of {plain(info.name)}")
    if not info.is_spatial:
        st.info(
            f"{info.name} is a dense layer: it outputs {view.channels_total} numbers, not maps. "
            "Each bar below is one unit."
        )
    elif len(pictures) == 1:
        grid_col, zoom_col = st.columns([1.5, 1])
        with grid_col:
            _grid(view, pictures[0], view.stats[0], 540)  # the column: ~380 px at 1024
        with zoom_col:
            channel = _zoom_input(view)
            _zoom(view, pictures[0], channel)
            seen, _ = enlarge(view.model.resize(pictures[0].image)[0], 120)
            st.image(seen, caption="the image as the model sees it", width=140)
    else:
        for col, picture, stat in zip(st.columns(len(pictures)), pictures, view.stats, strict=True):
            with col:
                _grid(view, picture, stat, 440)
        zoom_cols = st.columns([0.8] + [1.4] * len(pictures))
        with zoom_cols[0]:
            channel = _zoom_input(view)
        for col, picture in zip(zoom_cols[1:], pictures, strict=True):
            with col:
                _zoom(view, picture, channel)


def channel_stats_section(view: LayerView) -> None:
    """Per image: how many channels stay at zero, and each channel's mean activation."""
    columns = st.columns(len(view.pictures))
    for col, picture, stat in zip(columns, view.pictures, view.stats, strict=True):
        with col:
            st.metric(
                f"Channels that stay at zero ({picture.caption})",
                f"{stat.dead_count} of {stat.channels}",
                help="A channel is at zero when every value of its map is 0 for this image "
                "(e.g. a ReLU that never fires). Red marks below; red numbers in the grid.",
            )
            st.plotly_chart(
                stats_figure(stat, "Mean activation per channel"),
                width="stretch",
                key=f"act_stats_{picture.digest}_{len(view.pictures)}",
            )


def first_conv_section(model: ImageModel) -> None:
    """The first convolution's kernels as small pictures, and their closest Gabor kernels."""
    st.subheader("First convolution layer's kernels")
    try:
        kernels = activations.first_conv_kernels(model)
    except InputError as err:
        st.info(str(err))
        return
    k, kh, kw, _ = kernels.images.shape
    shown_k = min(k, 64)
    st.caption(
        f"{plain(kernels.layer_name)}: {k} kernels of {kh}×{kw} pixels"
        + (f" (first {shown_k} shown)" if shown_k < k else "")
        + ". Each is scaled to its own range: bright = large positive weight, dark = "
        "negative. A coloured kernel looks for that colour; a grey striped one for an edge."
    )
    st.image(kernel_mosaic(kernels, max_kernels=shown_k), width=min(900, 40 * 8 + 24))
    # Fitting takes a second or two, so it runs only when asked for.
    if st.toggle("Compare each kernel with its closest Gabor kernel", key="act_gabor_match"):
        from cnnviz.ui.activations.gabor_match import gabor_match_section

        gabor_match_section(model, key="act_gabor")
