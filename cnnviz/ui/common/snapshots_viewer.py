"""Scrub through training: an epoch slider over a stored model's epoch snapshots.

Shows, for the epoch chosen, the first layer's kernels and the Grad-CAM maps and
predictions of the 8 probe images (see :mod:`cnnviz.training.snapshots`), so a student
sees the kernels go from noise to edges and the maps from everywhere to the object.
"""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from cnnviz import attribution
from cnnviz.errors import InputError
from cnnviz.ui.common.model_picker import store as model_store
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain

TILE = 30
PAD = 3


def kernel_mosaic(kernels: np.ndarray, tile: int = TILE) -> np.ndarray:
    """The kernels of one conv layer as one RGB image, each scaled to its own range.

    Args:
        kernels: (kh, kw, C_in, F) weights; 3 input channels are shown in colour, other
            counts as the mean over the input channels.
        tile: side of one kernel on screen, in pixels.

    Returns:
        (rows·(tile+PAD), cols·(tile+PAD), 3) uint8, white gaps.
    """
    k = np.asarray(kernels, dtype=np.float32)
    if k.shape[2] != 3:
        k = k.mean(axis=2, keepdims=True)
    n = k.shape[-1]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    out = np.full((rows * (tile + PAD), cols * (tile + PAD), 3), 255, np.uint8)
    for i in range(n):
        w = k[..., i]
        lo, hi = float(w.min()), float(w.max())
        w = (w - lo) / (hi - lo + 1e-8)  # each kernel to [0, 1] (epsilon: flat kernels)
        img = np.repeat(w, 3, axis=-1) if w.shape[-1] == 1 else w
        img = cv2.resize(
            (img * 255).astype(np.uint8), (tile, tile), interpolation=cv2.INTER_NEAREST
        )
        r, c = divmod(i, cols)
        out[
            r * (tile + PAD) : r * (tile + PAD) + tile, c * (tile + PAD) : c * (tile + PAD) + tile
        ] = img
    return out


@st.cache_data(max_entries=8, show_spinner=False)
def _load(model_id: str, owner: str) -> dict | None:
    return model_store().load_snapshots(model_id, owner)


def snapshot_viewer_ui(key: str, model_id: str, class_names: list[str] | None = None) -> None:
    """An epoch slider with the kernels, Grad-CAM maps and predictions of that epoch.

    Args:
        key: widget-key prefix (one per page).
        model_id: a stored model visible to this session.
        class_names: names for the predictions (default: class numbers).
    """
    try:
        data = _load(model_id, session_id())
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    if data is None:
        st.caption(
            "This model has no epoch snapshots (trained before they were kept, or uploaded)."
        )
        return
    epochs = [int(e) for e in data["epochs"]]
    if len(epochs) > 1:
        epoch = st.select_slider(
            "Epoch",
            epochs,
            value=epochs[-1],
            key=f"{key}_snapshot_epoch_{model_id}",
            help="0 = the random start, before any training.",
        )
    else:
        epoch = epochs[0]
    i = epochs.index(epoch)
    names = list(class_names or [])
    probs = data["probabilities"][i].astype(np.float32)
    images = data["probe_images"]
    rgb = np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images
    left, right = st.columns([1, 2.4])
    with left:
        if "kernels" in data:
            st.image(
                kernel_mosaic(data["kernels"][i]),
                caption=f"{plain(data['kernel_layer'])} kernels after epoch {epoch}",
                width="stretch",
            )
        else:
            st.caption("No convolution layer: no kernels to show.")
    with right:
        side = 112
        tiles, captions = [], []
        for j in range(len(rgb)):
            big = cv2.resize(rgb[j], (side, side), interpolation=cv2.INTER_NEAREST)
            if "cams" in data:
                cam = cv2.resize(
                    data["cams"][i, j].astype(np.float32) / 255.0,
                    (side, side),
                    interpolation=cv2.INTER_LINEAR,
                )
                big = attribution.overlay(big, cam, alpha=0.45)
            top = int(np.argmax(probs[j]))
            name = names[top] if top < len(names) else str(top)
            truth = int(data["probe_labels"][j])
            mark = "✓" if top == truth else "✗"
            tiles.append(big)
            captions.append(f"{mark} {plain(name)} {probs[j, top]:.0%}")
        st.image(tiles, caption=captions, width=side)
        if "cams" in data:
            st.caption(
                f"Grad-CAM of the predicted class at {plain(data['cam_layer'])} on 8 fixed test "
                "images, epoch by epoch (✓ right, ✗ wrong)."
            )
