"""A Grad-CAM overlay any page can add next to a prediction (e.g. the Pretrained page).

Example::

    overlay = gradcam_overlay_for(model, image)           # top-1 class
    st.image(overlay, caption=f"where {model.name} looked")
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import attribution
from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel
from cnnviz.ui.busy import busy_sign
from cnnviz.ui.image_source import image_digest
from cnnviz.ui.inspect import heatmap
from cnnviz.ui.model_picker import model_key
from cnnviz.ui.text import plain


def gradcam_heatmap_for(
    image_model: ImageModel, image: np.ndarray, class_index: int | None = None
) -> attribution.Attribution:
    """Grad-CAM of one image at the model's default layer (cached per model, image, class).

    Args:
        image_model: any :class:`~cnnviz.imagemodel.ImageModel` (pretrained or stored).
        image: (H, W, 3) uint8 RGB, any size.
        class_index: class to explain; ``None`` = the model's top-1 class.

    Returns:
        :class:`~cnnviz.attribution.Attribution`; ``heatmaps[0]`` is (h, w) float32 in
        [0, 1] at the model's input size and ``class_indices[0]`` the class explained.

    Raises:
        cnnviz.errors.InputError: the model has no layer with spatial maps, or a bad class.
    """
    cls = None if class_index is None else int(class_index)
    return heatmap(
        model_key(image_model), image_digest(image), "gradcam", cls, None, image_model, image
    )


def gradcam_overlay_for(
    image_model: ImageModel,
    image: np.ndarray,
    class_index: int | None = None,
    *,
    alpha: float = 0.45,
    colormap: str = "jet",
) -> np.ndarray:
    """The image with its Grad-CAM heatmap blended on top, for one class.

    Args:
        image_model: any :class:`~cnnviz.imagemodel.ImageModel`.
        image: (H, W, 3) uint8 RGB, any size; not modified.
        class_index: class to explain; ``None`` = the model's top-1 class.
        alpha: heatmap opacity in [0, 1].
        colormap: a key of :data:`cnnviz.attribution.COLORMAPS`.

    Returns:
        (H, W, 3) uint8 RGB, the size of ``image``.

    Raises:
        cnnviz.errors.InputError: as :func:`gradcam_heatmap_for`, or a bad alpha / colour map.
    """
    result = gradcam_heatmap_for(image_model, image, class_index)
    return attribution.overlay(image, result.heatmaps[0], alpha=alpha, colormap=colormap)


def show_gradcam_overlay(
    image_model: ImageModel, image: np.ndarray, class_index: int | None = None, **kwargs
) -> None:
    """Draw :func:`gradcam_overlay_for` with a caption naming the class, or an error box."""
    try:
        with busy_sign("Computing Grad-CAM…"):
            result = gradcam_heatmap_for(image_model, image, class_index)
        shown = attribution.overlay(image, result.heatmaps[0], **kwargs)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    cls = int(result.class_indices[0])
    name = image_model.class_names[cls] if 0 <= cls < len(image_model.class_names) else cls
    st.image(shown, caption=f"Grad-CAM for “{name}” ({result.layer_name})", width="stretch")


# ---------------------------------------------------------------------------------------------
# Can this heatmap be trusted? (Grad-CAM page)
# ---------------------------------------------------------------------------------------------

COARSE_CELLS = 7
"""Maps with fewer cells than this along a side are called coarse on the page."""

LOCALISATION_IMAGES = 300
"""Test images scored for the localisation table."""

TRUST_MARGIN = 0.2
"""Pointing-game lead over the better baseline needed to call a method's maps trustworthy."""


def finer_layer(model: ImageModel, layer: str) -> str | None:
    """The closest earlier spatial layer with a larger map than ``layer``'s, or ``None``."""
    from cnnviz import modelutils

    infos = {i.name: i for i in modelutils.layer_infos(model)}
    spatial = modelutils.spatial_layers(model)
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
    from cnnviz import modelutils

    info = modelutils.layer_info(model, layer)
    h, w = info.output_shape[:2]
    if h is None or w is None or min(h, w) >= COARSE_CELLS:
        return
    geo = modelutils.receptive_field(model, layer)
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


def in_ten(value: float) -> int:
    """A share as "k times in 10"."""
    return round(10 * float(value))


def localisation_sentence(label: str, scores: dict[str, float]) -> str:
    """One-sentence reading of a method's scores, with the verdict."""
    p, c, s = scores["pointing"], scores["centre_pointing"], scores["shuffled_pointing"]
    text = (
        f"{label} points inside the shape {in_ten(p)} times in 10; always guessing the centre "
        f"would manage {in_ten(c)} in 10, and its maps scored against other images' boxes "
        f"{in_ten(s)} in 10."
    )
    if p - max(c, s) >= TRUST_MARGIN:
        return text + " **Its heatmaps do show where the shape is.**"
    return (
        text + " **That is no better than a guess: on this model its heatmap does not show "
        "where the shape is.**"
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


def localisation_section(
    model: ImageModel, method: str, layer: str | None, dataset, dataset_key: str
) -> None:
    """The "does it point at the shape?" table for a model whose test set has boxes.

    Scores the shown method at once (one batched pass over the test images), every
    method on request; both are cached per model.
    """
    boxes = getattr(dataset, "boxes_test", None) if dataset is not None else None
    st.subheader("Does the heatmap point at the shape?")
    if boxes is None:
        st.caption(
            "This model's test set has no object boxes, so its heatmaps cannot be checked "
            "against the truth here. Train a model on *Find the shape* (or *Synthetic "
            "shapes*) to see how well each method localises."
        )
        return
    from cnnviz import datasets as ds_module
    from cnnviz.ui.model_picker import model_key

    n = min(LOCALISATION_IMAGES, len(dataset.x_test))
    images = ds_module.to_rgb(dataset.x_test[:n])
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
        return
    st.markdown(localisation_sentence(attribution.METHODS[method].label, scores[method]))
    st.dataframe(localisation_table(scores), width="stretch")
    st.caption(
        f"Over {n} test images, explaining the true class. *Points inside*: the map's "
        "hottest pixel lies in the shape's box (pointing game). *Heat inside*: the share of "
        "the map's total heat in the box. *Centre guess*: a map that always peaks at the "
        "centre. *Other images' boxes*: the same maps scored against shuffled boxes; a "
        "method that does as well there has learned where shapes usually are, not where "
        "this one is."
    )
    if not st.session_state.get(all_key):
        st.button(
            "Score every method (SmoothGrad and occlusion take a while)",
            key=f"{all_key}_button",
            on_click=lambda: st.session_state.__setitem__(all_key, True),
        )


@st.cache_data(max_entries=16, show_spinner=False)
def sanity_steps(
    model_key: str,
    digest: str,
    method: str,
    class_index: int | None,
    layer: str | None,
    max_steps: int,
    _model: ImageModel,
    _image: np.ndarray,
) -> list[attribution.CascadeStep]:
    """:func:`cnnviz.attribution.cascade` for one image, cached (runs on a clone)."""
    return attribution.cascade(
        _model, _image, method, class_index, layer, max_steps=max_steps, seed=0
    )


SANITY_STEPS = 8
"""Layers randomised at most by the page's sanity check (from the top)."""

SANITY_SAME = 0.5
"""Mean rank correlation above which the randomised maps count as unchanged."""


def sanity_section(
    model: ImageModel,
    image: np.ndarray,
    digest: str,
    method: str,
    class_index: int,
    layer: str | None,
    colormap: str = "jet",
) -> None:
    """Cascading randomisation (Adebayo et al., 2018) of the shown heatmap, on request."""
    from cnnviz.ui.model_picker import model_key

    label = attribution.METHODS[method].label
    st.subheader("Would the map change if the network knew nothing?")
    st.caption(
        "The sanity check of Adebayo et al. (2018): replace the network's learned weights by "
        "random ones, one layer at a time from the output down (on a copy; your model is "
        "not changed), and redraw the heatmap. A method that explains the model must give "
        "a different map. **A method whose map barely changes is showing the image, not "
        "the model.**"
    )
    mkey = model_key(model)
    run_key = f"cam_sanity_{mkey}_{digest}_{method}_{class_index}_{layer}"
    if not st.session_state.get(run_key):
        st.button(
            f"Run the sanity check for {label}",
            key=f"{run_key}_button",
            on_click=lambda: st.session_state.__setitem__(run_key, True),
        )
        return
    cam_layer = layer if attribution.METHODS[method].uses_layer else None
    try:
        with busy_sign("Randomising the network layer by layer…"):
            steps = sanity_steps(
                mkey, digest, method, int(class_index), cam_layer, SANITY_STEPS, model, image
            )
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    if len(steps) < 2:
        st.caption("This model has no weights to randomise.")
        return
    shown = model.resize(image)[0]
    cols = st.columns(min(len(steps), 5))
    for k, step in enumerate(steps):
        big = attribution.overlay(shown, step.heatmaps[0], alpha=0.5, colormap=colormap)
        caption = (
            "trained model"
            if step.layer == "original"
            else f"random down to {step.layer} · ρ = {step.spearman[0]:.2f}"
        )
        cols[k % len(cols)].image(big, caption=caption, width="stretch")
    rho = np.array([s.spearman[0] for s in steps[1:]])
    last = float(rho[-1])
    verdict = (
        f"After randomising {len(steps) - 1} layers the {label} map still ranks pixels "
        f"almost as before (rank correlation ρ = {last:.2f}): **it shows the image, not "
        "what the model learned; do not trust it for this model.**"
        if float(rho.mean()) > SANITY_SAME
        else f"The {label} map changes once the weights are random (rank correlation with "
        f"the original falls to ρ = {last:.2f}): **it depends on what the model learned, "
        "as an explanation should.**"
    )
    st.markdown(verdict)
    st.caption(
        "ρ: Spearman rank correlation of the heatmap with the trained model's (1 = same "
        "ranking of pixels, 0 = unrelated)."
        + (
            f" Only the top {SANITY_STEPS} layers with weights are randomised here."
            if len(steps) - 1 >= SANITY_STEPS
            else ""
        )
    )
