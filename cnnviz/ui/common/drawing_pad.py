"""A drawing pad framed like the model's data (digits, MNIST, Fashion-MNIST).

The pad is the maintained ``streamlit-drawable-canvas`` component (its assets are in the
wheel, so it works offline). What is drawn is framed by
:func:`cnnviz.images.drawing.frame_drawing` the way the model's dataset frames its images.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from cnnviz.images import drawing
from cnnviz.models import ImageModel

CANVAS_SIDE = 280
STROKE_WIDTH = 20


def dataset_name(model: ImageModel) -> str | None:
    """The name of the dataset a stored model was trained on, if any."""
    info = model.info if isinstance(model.info, dict) else {}
    ds = info.get("dataset")
    return ds.get("name") if isinstance(ds, dict) else None


def drawable(model: ImageModel | None) -> bool:
    """True for models trained on digits, MNIST or Fashion-MNIST."""
    return model is not None and drawing.style_for(dataset_name(model)) is not None


def draw_ui(key: str, model: ImageModel) -> np.ndarray | None:
    """A drawing pad; returns the drawing framed for the model, or None while empty.

    Args:
        key: widget-key prefix.
        model: the model the drawing is for (its dataset decides the framing).

    Returns:
        (h, w, 3) uint8 RGB at the model's input size, or None when nothing is drawn.
    """
    from streamlit_drawable_canvas import st_canvas

    style = drawing.style_for(dataset_name(model)) or "mnist"
    result = st_canvas(
        stroke_width=STROKE_WIDTH,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"{key}_canvas",
    )
    rgba = result.image_data
    if rgba is None or not np.asarray(rgba)[..., :3].any():
        st.caption("Draw a digit with the mouse (or a finger); the model answers as you lift it.")
        return None
    started = time.perf_counter()
    framed = drawing.frame_drawing(np.asarray(rgba, dtype=np.uint8), style, model.input_size[0])
    st.session_state[f"{key}_frame_ms"] = 1000 * (time.perf_counter() - started)
    return framed
