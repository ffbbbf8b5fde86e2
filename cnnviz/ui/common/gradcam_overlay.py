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
from cnnviz.models import ImageModel
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.image_source import image_digest
from cnnviz.ui.common.inspect import heatmap
from cnnviz.ui.common.model_picker import model_key
from cnnviz.ui.common.text import plain


def gradcam_heatmap_for(
    image_model: ImageModel, image: np.ndarray, class_index: int | None = None
) -> attribution.Attribution:
    """Grad-CAM of one image at the model's default layer (cached per model, image, class).

    Args:
        image_model: any :class:`~cnnviz.models.ImageModel` (pretrained or stored).
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
        image_model: any :class:`~cnnviz.models.ImageModel`.
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
    caption = f"Grad-CAM for “{plain(name)}” ({plain(result.layer_name)})"
    st.image(shown, caption=caption, width="stretch")
