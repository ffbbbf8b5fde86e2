"""The Grad-CAM page's main sections: which class, which method and layer, the heatmap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import attribution, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import PREDICTING, busy_sign
from cnnviz.ui.common.image_source import PickedImage
from cnnviz.ui.common.inspect import heatmap, probabilities, top_k_figure
from cnnviz.ui.common.pixels import draw_box, enlarge
from cnnviz.ui.common.text import plain
from cnnviz.ui.gradcam.trust import coarse_map_notice

DISPLAY_SIDE = 288
"""Side (pixels) the picked image is enlarged to for the three panels."""


@dataclass(frozen=True)
class Settings:
    """What the student chose to explain and how to show it."""

    method: str
    layer: str | None
    alpha: float
    colormap: str


def class_names(model: ImageModel, count: int) -> list[str]:
    """The model's class names, padded with "class i" up to ``count``."""
    names = list(model.class_names)
    return names + [f"class {i}" for i in range(len(names), count)]


def class_probabilities(model: ImageModel, mkey: str, picked: PickedImage) -> np.ndarray:
    """(classes,) probabilities of the picked image (cached); stops the page on bad input."""
    try:
        with busy_sign(PREDICTING):
            return probabilities(mkey, picked.digest, model, picked.image)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        st.stop()


def class_picker(mkey: str, picked: PickedImage, probs: np.ndarray, names: list[str]) -> int:
    """The class to explain (default the top-1 guess), with the top-k chart; returns it."""
    ranked = [int(i) for i in np.argsort(probs)[::-1]]
    class_index = st.selectbox(
        "Class to explain",
        ranked,
        index=0,
        format_func=lambda i: (
            f"{names[i]} ({100 * probs[i]:.1f}%)" + ("  · top-1" if i == ranked[0] else "")
        ),
        key=f"cam_class_{mkey}_{picked.digest}",
        help="Defaults to the model's top-1 guess; any class can be explained.",
    )
    st.plotly_chart(
        top_k_figure(probs, names, highlight=class_index), width="stretch", key="cam_topk"
    )
    if picked.true_label is not None:
        verdict = "right" if picked.true_index == ranked[0] else "wrong"
        st.caption(f"True class: **{plain(picked.true_label)}** · the top-1 guess is {verdict}.")
    return int(class_index)


def method_controls(model: ImageModel, mkey: str) -> Settings:
    """Method, layer (CAM methods), opacity and colour map; the method's help below them."""
    methods = attribution.REGISTRY
    controls = st.columns([1, 1.2, 1, 1])
    with controls[0]:
        method = st.selectbox(
            "Method",
            methods.keys(),
            format_func=lambda k: methods.get(k).title,
            key="cam_method",
        )
    entry = methods.get(method)
    layer = None
    with controls[1]:
        if entry.uses_layer:
            try:
                spatial = models.spatial_layers(model)
                default_layer = models.default_cam_layer(model)
            except InputError as err:
                st.error(plain(err), icon=":material/block:")
                st.stop()
            layer = st.selectbox(
                "Layer",
                spatial,
                index=spatial.index(default_layer)
                if default_layer in spatial
                else len(spatial) - 1,
                format_func=lambda n: n + ("  · default" if n == default_layer else ""),
                key=f"cam_layer_{mkey}",
                help="Default: the last layer whose maps are larger than 1×1. Earlier layers "
                "give finer but less class-specific maps.",
            )
        else:
            st.caption("This method works on the input pixels; it uses no layer.")
    with controls[2]:
        alpha = st.slider("Heatmap opacity", 0.0, 1.0, 0.45, 0.05, key="cam_alpha")
    with controls[3]:
        colormap = st.selectbox("Colour map", list(attribution.COLORMAPS), key="cam_cmap")
    st.caption(f"**{entry.title}** {entry.help}")
    if entry.uses_layer:
        coarse_map_notice(model, layer, f"cam_layer_{mkey}")
    return Settings(method, layer, float(alpha), colormap)


def heatmap_section(
    model: ImageModel,
    mkey: str,
    picked: PickedImage,
    class_index: int,
    names: list[str],
    settings: Settings,
) -> None:
    """The image, its heatmap and the overlay; with a box, whether the peak falls inside."""
    title = attribution.REGISTRY.get(settings.method).title
    try:
        with busy_sign(f"Computing {title}…"):
            result = heatmap(
                mkey, picked.digest, settings.method, class_index, settings.layer, model,
                picked.image,
            )  # fmt: skip
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        st.stop()
    heat = result.heatmaps[0]
    # What to show: the picked image, enlarged without blur when it is small.
    shown, factor = enlarge(picked.image, DISPLAY_SIDE)
    colour, blend = attribution.heatmap_panels(
        shown, heat, alpha=settings.alpha, colormap=settings.colormap
    )
    panels = [shown, colour, blend]
    if picked.box is not None:
        panels = [draw_box(p, picked.box, scale=factor) for p in panels]
    true_class = f" · true class {plain(picked.true_label)}" if picked.true_label else ""
    at_layer = f" at {plain(result.layer_name)}" if settings.layer else ""
    captions = [
        f"{plain(picked.caption)}{true_class}",
        f"heatmap for “{plain(names[class_index])}”{at_layer}",
        f"overlay ({settings.alpha:.0%} heatmap)",
    ]
    for col, panel, caption in zip(st.columns(3), panels, captions, strict=True):
        col.image(panel, caption=caption, width="stretch")
    if picked.box is not None:
        box = attribution.scale_boxes(picked.box, picked.image.shape[:2], heat.shape)
        hit = bool(attribution.pointing_game(heat[None], box[None])[0])
        st.caption(
            "Green box: where the shape really is. "
            + (
                "The heatmap's peak falls inside it."
                if hit
                else "The heatmap's peak is outside it."
            )
        )
