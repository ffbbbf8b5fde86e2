"""The one image picker every page uses: a sample, an upload, or a camera snapshot."""

from __future__ import annotations

import contextlib
from typing import Literal

import cv2
import numpy as np
import streamlit as st

from cnnviz.errors import InputError
from cnnviz.images import ALLOWED_EXTENSIONS, MAX_FILE_BYTES, fit_within, load_image, samples
from cnnviz.ui.common.text import plain

PREVIEW_WIDTH = 240  # pixels, of the picked image's preview in the page

#: Longest side of picked images: plenty for display and for per-page processing.
PICKER_MAX_SIDE = 1024

SOURCES = ("Sample", "Upload", "Camera")


def _preview(image: np.ndarray) -> np.ndarray:
    """The image at PREVIEW_WIDTH pixels wide: averaged down, or blocky up (small pictures)."""
    height, width = image.shape[:2]
    size = (PREVIEW_WIDTH, max(1, round(height * PREVIEW_WIDTH / width)))
    shrink = width > PREVIEW_WIDTH
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_NEAREST)


#: The extra source offered with ``datasets=True``.
DATASET_SOURCE = "Dataset"


@st.cache_data(max_entries=16, show_spinner=False)
def decode_upload(data: bytes, max_side: int = PICKER_MAX_SIDE) -> np.ndarray:
    """Decode uploaded bytes once per distinct file (cached on the bytes).

    Returns:
        (H, W, 3) uint8 RGB, longer side ≤ ``max_side``.

    Raises:
        InputError: the file is not a usable image (not cached, so the message is shown each
            time the same bad file is still selected).
    """
    return load_image(data, max_side=max_side)


@st.cache_data(max_entries=32, show_spinner=False)
def sample_image(name: str, max_side: int = PICKER_MAX_SIDE) -> np.ndarray:
    """A gallery sample by name, shrunk to ``max_side`` (a cached copy, safe to change)."""
    return np.array(fit_within(samples()[name], max_side))


def image_picker(
    key: str,
    *,
    default_sample: str = "cat",
    location: Literal["main", "sidebar"] = "main",
    max_side: int = PICKER_MAX_SIDE,
    label: str = "Image",
    preview: bool = True,
    datasets: bool = False,
    beside: bool = False,
) -> np.ndarray | None:
    """Let the student choose an image: a bundled sample, an uploaded file, or the camera.

    Widget keys start with ``key`` (e.g. ``f"{key}_upload"``), so two pickers can share a page.
    Problems with the file are shown with ``st.error`` in the picker, never as a traceback.

    Args:
        key: unique prefix for this picker's widget keys.
        default_sample: gallery name selected at first (falls back to the first sample).
        location: draw in the page body (``"main"``) or in the sidebar.
        max_side: longer side of the returned image, in pixels.
        label: heading shown above the controls ("": none).
        preview: show a small thumbnail of the chosen image.
        datasets: also offer images from the datasets (digits, shapes, faces, and MNIST /
            Fashion-MNIST when cached), see :mod:`cnnviz.ui.common.dataset_images`.
        beside: in the page body, the controls and the preview side by side (a picker
            across the top of a page stays low enough to leave the page in view).

    Returns:
        (H, W, 3) uint8 RGB with longer side ≤ ``max_side``, or ``None`` while nothing usable
        is chosen (no file uploaded yet, no snapshot taken, or the file was refused).
    """
    container = st.sidebar if location == "sidebar" else st.container()
    with container:
        if beside and location == "main":
            controls, shown = st.columns([3, 2], gap="medium")
        else:
            controls = shown = contextlib.nullcontext()
        with controls:
            image, caption = _controls(key, default_sample, max_side, label, datasets, beside)
        if image is not None and preview:
            height, width = image.shape[:2]
            with shown:
                if location == "sidebar":
                    st.image(image, caption=f"{plain(caption)} · {width}×{height}", width="stretch")
                else:
                    # 240 pixels wide, but never wider than its column (a fixed width spilled
                    # over the next column on a 1024-pixel projector): "content" is the
                    # picture's own width, capped at the column's.
                    st.image(
                        _preview(image),
                        caption=f"{plain(caption)} · {width}×{height}",
                        width="content",
                    )
    return image


def chosen_sample(key: str) -> str | None:
    """The gallery name the picker ``key`` shows, or None when its image is not a sample.

    Generated code loads a sample with scikit-image, as the picker does (see
    :mod:`cnnviz.codegen.images_code`), rather than writing its pixels in.
    """
    state = st.session_state
    if state.get(f"{key}_source", SOURCES[0]) != "Sample":
        return None
    name = state.get(f"{key}_sample")
    return name if name in samples() else None


def _controls(
    key: str, default_sample: str, max_side: int, label: str, datasets: bool, horizontal: bool
) -> tuple[np.ndarray | None, str]:
    """The picker's heading and widgets; returns the chosen image (or None) and its caption."""
    if label:
        st.markdown(f"**{label}**")
    sources = (*SOURCES, DATASET_SOURCE) if datasets else SOURCES
    source = st.radio(
        "Image source",
        sources,
        # Four do not fit on one line of the sidebar; across the page they do.
        horizontal=horizontal or len(sources) <= 3,
        key=f"{key}_source",
        label_visibility="collapsed",
    )
    image, caption = None, ""
    if source == "Sample":
        names = list(samples())
        index = names.index(default_sample) if default_sample in names else 0
        name = st.selectbox("Sample image", names, index=index, key=f"{key}_sample")
        image, caption = sample_image(name, max_side), f"sample: {name}"
    elif source == DATASET_SOURCE:
        from cnnviz.ui.common.dataset_images import pick_dataset_image

        image, caption = pick_dataset_image(key)
    elif source == "Upload":
        upload = st.file_uploader(
            "Upload an image",
            type=list(ALLOWED_EXTENSIONS),
            key=f"{key}_upload",
            max_upload_size=MAX_FILE_BYTES // 2**20,
            help="PNG, JPEG, WebP, BMP, GIF (first frame) or TIFF.",
        )
        if upload is None:
            st.caption("Choose a PNG, JPEG, WebP, BMP, GIF or TIFF file.")
        else:
            image, caption = _decode_or_report(upload.getvalue(), max_side), upload.name
    else:
        snapshot = st.camera_input("Take a picture", key=f"{key}_camera")
        if snapshot is not None:
            image, caption = _decode_or_report(snapshot.getvalue(), max_side), "camera"
    return image, caption


def _decode_or_report(data: bytes, max_side: int) -> np.ndarray | None:
    try:
        return decode_upload(data, max_side)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
