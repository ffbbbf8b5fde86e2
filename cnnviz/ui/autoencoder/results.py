"""Rows of original / noisy / reconstructed test images, and the bottleneck's channels."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from cnnviz import autoencoder, datasets
from cnnviz.activations import channel_grid, tile_images
from cnnviz.errors import InputError
from cnnviz.ui.activations.plots import grid_figure
from cnnviz.ui.autoencoder.course import course_ui
from cnnviz.ui.autoencoder.state import DATASETS, key_of
from cnnviz.ui.autoencoder.truth import TRUST, truth_sentence
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.data import cached_dataset
from cnnviz.ui.train.state import enlarge, model_store

SHOWN = 8  # test images in the rows of original / noisy / reconstructed


def _test_images(meta: dict, fallback: datasets.Dataset | None) -> np.ndarray:
    """The test images of the dataset the model was trained on (or the page's dataset)."""
    shape = tuple(int(v) for v in meta.get("input_shape") or ())
    data = meta.get("dataset") or {}
    name = data.get("name")
    if fallback is not None and fallback.name == name and fallback.input_shape == shape:
        return np.asarray(fallback.x_test)
    if name in DATASETS:
        ds = cached_dataset(name, json.dumps(data.get("options") or {}, sort_keys=True))
        return np.asarray(ds.x_test)
    if fallback is not None and tuple(fallback.input_shape) == shape:
        return np.asarray(fallback.x_test)
    raise InputError(f"The images this autoencoder was trained on ({name}) cannot be loaded.")


def _row_image(images01: np.ndarray) -> np.ndarray:
    """(N, H, W, C) floats in [0, 1] → one row of enlarged uint8 RGB tiles."""
    pixels = np.round(np.clip(images01, 0, 1) * 255).astype(np.uint8)
    return tile_images(enlarge(pixels, 84), columns=len(pixels), pad=4)


def results_ui(meta: dict, fallback: datasets.Dataset | None) -> None:
    """Rows of original / noisy / reconstructed images, the truth line, the bottleneck."""
    owner = session_id()
    try:
        stored = model_store().load(str(meta["id"]), owner)
        images = _test_images(meta, fallback)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    model = stored.model  # shared by the store's cache: only predicted with, never changed
    info = meta.get("autoencoder") or {}
    trained_at = float(info.get("noise_level", autoencoder.COURSE_NOISE))
    state = st.session_state
    if state.get(key_of("noise_for")) != meta["id"]:
        state[key_of("noise_for")] = meta["id"]
        state[key_of("view_noise")] = trained_at
    c1, c2, c3 = st.columns([5, 2, 2], vertical_alignment="bottom")
    level = c1.slider(
        "Noise level of these test images",
        0.0,
        1.0,
        step=0.05,
        key=key_of("view_noise"),
        help=f"This network trained at noise {trained_at:g}. Move it to see how far its "
        "denoising carries to weaker or stronger noise.",
    )
    last = max(0, len(images) - SHOWN)
    if not 0 <= int(state.get(key_of("first"), 0)) <= last:  # kept from a larger test set
        state[key_of("first")] = 0
    start = c2.number_input("First test image", 0, last, step=SHOWN, key=key_of("first"))
    if c3.button("New noise", icon=":material/casino:", key=key_of("reseed")):
        state[key_of("seed")] = int(state.get(key_of("seed"), 0)) + 1
    seed = int(state.get(key_of("seed"), 0))
    batch = images[int(start) : int(start) + SHOWN]
    try:
        result = autoencoder.denoise(model, batch, float(level), seed=seed)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    for title, row in (
        ("Original", result.clean),
        (f"Noisy (level {level:g}, clipped to 0..1)", result.noisy),
        ("Reconstructed by the autoencoder", result.reconstructed),
    ):
        st.markdown(f"**{title}**")
        st.image(_row_image(row), width="stretch")
    st.markdown(truth_sentence(result, float(level)))
    metrics = meta.get("test_metrics") or {}
    if isinstance(metrics.get("mse"), (int, float)):
        st.caption(
            f"Whole test set ({int(metrics.get('samples', 0)):,} images) at noise "
            f"{float(metrics.get('noise_level', trained_at)):g}, measured when training "
            f"ended: MSE {metrics['mse']:.4f}, noisy input itself "
            f"{metrics.get('mse_noisy_baseline', float('nan')):.4f}, best Gaussian blur "
            f"{metrics.get('mse_blur_baseline', float('nan')):.4f}. {TRUST}"
        )
    else:
        st.caption(TRUST)
    course_ui(meta)

    st.subheader("The bottleneck")
    c1, c2 = st.columns([1, 3])
    which = c1.selectbox(
        "Image",
        list(range(len(batch))),
        format_func=lambda i: f"test image {int(start) + i}",
        key=key_of("neck_image"),
    )
    c1.image(_row_image(result.noisy[which : which + 1]), caption="noisy input", width=120)
    c1.image(
        _row_image(result.reconstructed[which : which + 1]), caption="reconstruction", width=120
    )
    act = autoencoder.bottleneck(model, result.noisy[which : which + 1])[0]
    h, w, c = act.shape
    grid = channel_grid(act, columns=8, scale="shared")
    with c2:
        st.plotly_chart(
            grid_figure(
                grid,
                f"Layer {autoencoder.BOTTLENECK}: {c} channels of {h} × {w} "
                "(one brightness scale for all)",
                width=520,
                dead=act.max(axis=(0, 1)) <= 0,
            ),
            width="stretch",
            key=key_of("neck_grid"),
        )
        st.caption(
            f"Everything the decoder knows about this image is these {h * w * c:,} numbers. "
            "Channels marked *zero* have no value above zero for this image."
        )
