"""What the inspection pages share: enlarged images, boxes, probabilities, heatmaps, galleries.

Heatmaps and probabilities are pure functions of (model, image, settings), so they are cached
(``st.cache_data``) on a model key (:func:`cnnviz.ui.common.model_picker.model_key`) and an image
digest (:func:`cnnviz.ui.common.image_source.image_digest`); the model and the image themselves are
passed as underscore arguments, which Streamlit does not hash. Filter-visualization galleries
are kept in one server-wide LRU (:class:`GalleryCache`, a :class:`cnnviz.caching.LRU`): they
take seconds to minutes and the same defaults are asked for by a whole classroom.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import attribution
from cnnviz.caching import LRU
from cnnviz.models import ImageModel, top_indices
from cnnviz.ui.common import figures
from cnnviz.ui.common.text import plain_html

# ---------------------------------------------------------------------------------------------
# Predictions and heatmaps
# ---------------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def probabilities(model_key: str, digest: str, _model: ImageModel, _image: np.ndarray):
    """(classes,) float32 probabilities of one image."""
    return np.asarray(_model.predict_proba(_image)[0], dtype=np.float32)


@st.cache_data(max_entries=64, show_spinner=False)
def heatmap(
    model_key: str,
    digest: str,
    method: str,
    class_index: int | None,
    layer: str | None,
    _model: ImageModel,
    _image: np.ndarray,
) -> attribution.Attribution:
    """One image's attribution map for a class (see :func:`attribution.attribute`)."""
    kwargs = {"layer_name": layer} if attribution.METHODS[method].uses_layer else {}
    return attribution.attribute(method, _model, _image, class_index, **kwargs)


# ---------------------------------------------------------------------------------------------
# Filter-visualization galleries
# ---------------------------------------------------------------------------------------------


class GalleryCache(LRU):
    """A thread-safe LRU of finished galleries, shared by every session of the server.

    Args:
        maxsize: galleries kept.
    """

    def __init__(self, maxsize: int = 48) -> None:
        super().__init__(maxsize)

    def put(self, key: tuple, images: np.ndarray) -> np.ndarray:
        """Keep ``images`` (made read-only: sessions share them) under ``key``."""
        images = np.asarray(images)
        images.setflags(write=False)
        return super().put(key, images)


@st.cache_resource
def gallery_cache() -> GalleryCache:
    """The server's gallery cache."""
    return GalleryCache()


def top_k_figure(
    probs: np.ndarray,
    class_names: Sequence[str],
    *,
    k: int = 5,
    highlight: int | None = None,
    height: int = 220,
) -> go.Figure:
    """Horizontal bars of the k most probable classes, best on top, in percent.

    Args:
        probs: (classes,) probabilities.
        class_names: one name per class.
        k: bars shown.
        highlight: a class index drawn in a darker colour (the class being explained).
        height: figure height in pixels.
    """
    probs = np.asarray(probs, dtype=np.float64)
    order = top_indices(probs, k)  # best first
    names = [plain_html(class_names[i]) if i < len(class_names) else str(i) for i in order]
    return figures.probability_bars(
        names,
        probs[order],
        [i == highlight for i in order],
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
    )


__all__ = [
    "GalleryCache",
    "gallery_cache",
    "heatmap",
    "probabilities",
    "top_k_figure",
]
