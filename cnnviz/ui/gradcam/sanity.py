"""Would the map change if the network knew nothing? The cascading randomisation check."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import attribution
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.model_picker import model_key


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


def sanity_section(
    model: ImageModel,
    image: np.ndarray,
    digest: str,
    method: str,
    class_index: int,
    layer: str | None,
    colormap: str = "jet",
) -> float | None:
    """Cascading randomisation (Adebayo et al., 2018) of the shown heatmap, on request.

    Returns:
        ρ of the last step (the map with every randomised layer against the trained
        model's), or ``None`` while the check has not run or cannot.
    """
    label = attribution.METHODS[method].label
    st.subheader("Would the map change if the network knew nothing?")
    st.caption(
        "The sanity check of Adebayo et al. (2018): replace the network's learned weights by "
        "random ones, one layer at a time from the output down (on a copy; your model is "
        "not changed), and redraw the heatmap. A method that explains the model must give "
        "a different map: a low ρ. **A method whose map barely changes is showing the "
        "image, not the model.**"
    )
    mkey = model_key(model)
    run_key = f"cam_sanity_{mkey}_{digest}_{method}_{class_index}_{layer}"
    if not st.session_state.get(run_key):
        st.button(
            f"Run the sanity check for {label}",
            key=f"{run_key}_button",
            on_click=lambda: st.session_state.__setitem__(run_key, True),
        )
        return None
    cam_layer = layer if attribution.METHODS[method].uses_layer else None
    try:
        with busy_sign("Randomising the network layer by layer…"):
            steps = sanity_steps(
                mkey, digest, method, int(class_index), cam_layer, SANITY_STEPS, model, image
            )
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return None
    if len(steps) < 2:
        st.caption("This model has no weights to randomise.")
        return None
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
    # The wording reads the number it shows (rounded as shown): the map with every layer
    # randomised against the trained model's.
    last = round(float(steps[-1].spearman[0]), 2)
    reading = attribution.RANDOMISATION_READING[attribution.randomisation_result(last)]
    st.markdown(
        f"After randomising {len(steps) - 1} layers, the {label} map's rank correlation with "
        f"the trained model's is ρ = {last:.2f}: **{reading}.**"
    )
    st.caption(
        "ρ: Spearman rank correlation of the heatmap with the trained model's (1 = same "
        "ranking of pixels, 0 = unrelated). "
        + attribution.randomisation_thresholds()
        + "."
        + (
            f" Only the top {SANITY_STEPS} layers with weights are randomised here."
            if len(steps) - 1 >= SANITY_STEPS
            else ""
        )
    )
    return last
