"""Pick one image from a dataset (digits, shapes, faces, stripes, MNIST...) for filtering.

Every registered dataset that loads without the network is offered (the offline ones always,
the downloaded ones only when their files are already in the Keras cache: nothing is
downloaded here), each loaded with its spec's ``small`` options (only test images are shown).
Dataset images are tiny (8 to 64 pixels), so they are enlarged by a whole factor to at least
``MIN_SIDE`` pixels (cubic interpolation): a 21×21 kernel on a 28×28 digit would cover most
of it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import streamlit as st

from cnnviz import datasets
from cnnviz.ui.common.text import plain

#: The dataset shown first.
FIRST = "digits"
#: Dataset images are enlarged to at least this side.
MIN_SIDE = 112


def offered() -> dict[str, str]:
    """{name: title} of the datasets that can be loaded now without the network."""
    infos = [info for info in datasets.available() if info.offline or info.cached]
    infos.sort(key=lambda info: info.name != FIRST)
    return {info.name: info.title for info in infos}


@st.cache_resource(max_entries=5, show_spinner="Loading the dataset…")
def _test_images(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(images (N, H, W, 3) uint8 read-only, labels (N,), class names), once per server."""
    ds = datasets.load(name, **datasets.get(name).small)
    rgb = datasets.to_rgb(ds.x_test)
    rgb.setflags(write=False)
    return rgb, np.asarray(ds.y_test), tuple(str(c) for c in ds.class_names)


def enlarge(image: np.ndarray, min_side: int = MIN_SIDE) -> tuple[np.ndarray, int]:
    """Enlarge by the smallest whole factor that reaches ``min_side`` (cubic).

    Returns:
        ``(image, factor)``; factor 1 returns a copy.
    """
    side = min(image.shape[:2])
    factor = max(1, math.ceil(min_side / max(side, 1)))
    if factor == 1:
        return np.array(image), 1
    h, w = image.shape[:2]
    return cv2.resize(image, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC), factor


def pick_dataset_image(key: str) -> tuple[np.ndarray | None, str]:
    """Widgets to choose a dataset, a class and an image; returns (image, caption).

    Args:
        key: prefix for the widget keys.

    Returns:
        (H, W, 3) uint8 RGB enlarged to at least ``MIN_SIDE`` (or None when no dataset is
        available), and a caption naming the dataset, class and image.
    """
    names = offered()
    if not names:  # pragma: no cover - digits and shapes are always offline
        st.caption("No dataset can be loaded without the network.")
        return None, ""
    name = st.selectbox("Dataset", list(names), format_func=names.get, key=f"{key}_dataset")
    images, labels, classes = _test_images(name)
    cls = st.selectbox("Class", classes, key=f"{key}_dataset_class")
    indices = np.flatnonzero(labels == classes.index(cls))
    if len(indices) == 0:
        st.caption(f"No test image of class {plain(cls)}.")
        return None, ""
    position = st.number_input(
        f"Image (1–{len(indices)})",
        min_value=1,
        max_value=len(indices),
        value=1,
        step=1,
        key=f"{key}_dataset_index",
    )
    i = int(indices[min(int(position), len(indices)) - 1])
    image, factor = enlarge(images[i])
    size = images.shape[2]
    enlarged = f", enlarged ×{factor}" if factor > 1 else ""
    return image, f"{names[name]}: {cls} #{int(position)} ({size}×{size}{enlarged})"
