"""Can this heatmap be trusted? Coarse maps, and the pointing game on the test set."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import attribution, datasets, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.model_picker import model_key

COARSE_CELLS = 7
"""Maps with fewer cells than this along a side are called coarse on the page."""

LOCALISATION_IMAGES = 300
"""Test images scored for the localisation table."""


def finer_layer(model: ImageModel, layer: str) -> str | None:
    """The closest earlier spatial layer with a larger map than ``layer``'s, or ``None``."""
    infos = {i.name: i for i in models.layer_infos(model)}
    spatial = models.spatial_layers(model)
    if layer not in spatial:
        return None
    h, w = infos[layer].output_shape[:2]
    for name in reversed(spatial[: spatial.index(layer)]):
        hh, ww = infos[name].output_shape[:2]
        if hh is not None and ww is not None and (h is None or hh * ww > h * w):
            return name
    return None


def coarse_map_notice(model: ImageModel, layer: str, widget_key: str) -> None:
    """Say when ``layer``'s map is coarse, with a button that switches to a finer layer.

    Args:
        model: the model explained.
        layer: the CAM layer shown.
        widget_key: session key of the page's layer selectbox (set by the button).
    """
    info = models.layer_info(model, layer)
    h, w = info.output_shape[:2]
    if h is None or w is None or min(h, w) >= COARSE_CELLS:
        return
    geo = models.receptive_field(model, layer)
    seen = f" Each cell sees {geo.size[0]}×{geo.size[1]} pixels." if geo else ""
    finer = finer_layer(model, layer)
    cols = st.columns([4, 1])
    cols[0].info(
        f"This heatmap is coarse: **{layer}** has only {h}×{w} cells, so it can only say "
        f"roughly where the model looked.{seen}"
        + (f" **{finer}** has a finer map (less class-specific)." if finer else ""),
        icon=":material/grid_on:",
    )
    if finer:

        def use_finer() -> None:
            st.session_state[widget_key] = finer

        cols[1].button(
            f"Use {finer}", on_click=use_finer, key=f"{widget_key}_finer", width="stretch"
        )


@st.cache_data(max_entries=32, show_spinner=False)
def localisation_scores(
    model_key: str,
    dataset_key: str,
    methods: tuple[str, ...],
    layer: str | None,
    _model: ImageModel,
    _images: np.ndarray,
    _boxes: np.ndarray,
    _labels: np.ndarray,
) -> dict[str, dict[str, float]]:
    """:func:`cnnviz.attribution.localisation` cached on the model's store id and test set."""
    return attribution.localisation(
        _model, _images, _boxes, list(methods), labels=_labels, layer_name=layer
    )


def pointing_shares(scores: dict[str, float]) -> tuple[float, float, float]:
    """Pointing game, centre guess and other images' boxes, in whole percents.

    Rounded as the page shows them, so the reading judges the numbers it shows.
    """
    return tuple(
        round(float(scores[k]), 2) for k in ("pointing", "centre_pointing", "shuffled_pointing")
    )


def localisation_sentence(label: str, scores: dict[str, float]) -> str:
    """One-sentence reading of a method's scores, with the pointing game's result."""
    p, c, s = pointing_shares(scores)
    reading = attribution.POINTING_READING[attribution.pointing_result(p, c, s)]
    return (
        f"{label} points inside the shape in {p:.0%} of the test images; always guessing the "
        f"centre would manage {c:.0%}, and its maps scored against other images' boxes "
        f"{s:.0%}: **{reading}.**"
    )


def localisation_table(scores: dict[str, dict[str, float]]):
    """A small ``pandas.DataFrame``: one row per method, percentages."""
    import pandas as pd

    rows = []
    for key, s in scores.items():
        rows.append(
            {
                "method": attribution.METHODS[key].label,
                "points inside the box": f"{100 * s['pointing']:.0f}%",
                "centre guess": f"{100 * s['centre_pointing']:.0f}%",
                "other images' boxes": f"{100 * s['shuffled_pointing']:.0f}%",
                "heat inside the box": f"{100 * s['energy']:.0f}%",
                "centre guess (heat)": f"{100 * s['centre_energy']:.0f}%",
                "other boxes (heat)": f"{100 * s['shuffled_energy']:.0f}%",
            }
        )
    return pd.DataFrame(rows).set_index("method")


def method_width() -> int:
    """Pixels for the table's method column: the longest method name, unclipped.

    About 8 px a character at the table's font, and room for the cell's padding.
    """
    return 8 * max(len(m.label) for m in attribution.METHODS.values()) + 24


def localisation_section(
    model: ImageModel, method: str, layer: str | None, dataset, dataset_key: str
) -> dict[str, float] | None:
    """The "does it point at the shape?" table for a model whose test set has boxes.

    Scores the shown method at once (one batched pass over the test images), every
    method on request; both are cached per model.

    Returns:
        The shown method's scores (keys of :data:`cnnviz.attribution.SCORES`), or ``None``
        when the test set has no boxes or scoring failed.
    """
    boxes = getattr(dataset, "boxes_test", None) if dataset is not None else None
    st.subheader("Does the heatmap point at the shape?")
    if boxes is None:
        st.caption(
            "This model's test set has no object boxes, so its heatmaps cannot be checked "
            "against the truth here. Train a model on *Find the shape* (or *Synthetic "
            "shapes*) to see how well each method localises."
        )
        return None
    n = min(LOCALISATION_IMAGES, len(dataset.x_test))
    images = datasets.to_rgb(dataset.x_test[:n])
    mkey = model_key(model)
    all_key = f"cam_loc_all_{mkey}"
    methods = tuple(attribution.METHODS) if st.session_state.get(all_key) else (method,)
    if method not in methods:
        methods = (method, *methods)
    cam_layer = layer if attribution.METHODS[method].uses_layer else None
    try:
        with busy_sign(f"Scoring {len(methods)} method(s) on {n} test images…"):
            scores = localisation_scores(
                mkey,
                dataset_key,
                methods,
                cam_layer,
                model,
                images,
                boxes[:n],
                dataset.y_test[:n],
            )
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return None
    st.markdown(localisation_sentence(attribution.METHODS[method].label, scores[method]))
    st.dataframe(
        localisation_table(scores),
        width="stretch",
        column_config={"_index": st.column_config.TextColumn("method", width=method_width())},
    )
    st.caption(
        f"Over {n} test images, explaining the true class. *Points inside*: the map's "
        "hottest pixel lies in the shape's box (pointing game). *Heat inside*: the share of "
        "the map's total heat in the box. *Centre guess*: a map that always peaks at the "
        "centre. *Other images' boxes*: the same maps scored against shuffled boxes; a "
        "method that does as well there has learned where shapes usually are, not where "
        "this one is. Pointing game: " + attribution.pointing_thresholds() + "."
    )
    if not st.session_state.get(all_key):
        st.button(
            "Score every method (SmoothGrad and occlusion take a while)",
            key=f"{all_key}_button",
            on_click=lambda: st.session_state.__setitem__(all_key, True),
        )
    return scores[method]
