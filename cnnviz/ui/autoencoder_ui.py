"""Sections of the Denoising autoencoder page: data, settings, the network, the results.

Live progress comes from the Train page's section (:func:`cnnviz.ui.train.progress_ui`) with
the key prefix ``"autoencoder"``; the work is done by :mod:`cnnviz.autoencoder` and
:class:`cnnviz.training.TrainingJob`.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import autoencoder, datasets
from cnnviz.activations import channel_grid, tile_images
from cnnviz.errors import InputError
from cnnviz.training import TrainingConfig
from cnnviz.ui import dataset_options, kept_settings
from cnnviz.ui.activations.plots import grid_figure
from cnnviz.ui.session import session_id
from cnnviz.ui.text import plain
from cnnviz.ui.train.data import cached_dataset, load_builtin
from cnnviz.ui.train.state import enlarge, model_store, widget_default

PREFIX = "autoencoder"
PAGE = "pages/autoencoder.py"
DATASETS = ("digits", "mnist", "fashion_mnist")
# The course's 28 × 28 (pooled twice: 7 × 7); a subset trains faster on a CPU.
_FIXED = {"digits": {"upscale": 28}}
_DEFAULTS = {"n_train": 10000}
BATCH_SIZES = [16, 32, 64, 128, 256]
SHOWN = 8  # test images in the rows of original / noisy / reconstructed


def _key(name: str) -> str:
    return f"{PREFIX}_{name}"


# Widget values kept while the student visits other pages (Streamlit forgets the state of
# widgets that a run did not draw).
PERSISTENT = (
    "dataset", "noise", "loss", "epochs", "batch",
    "defaults_for", "model", "view_noise", "noise_for", "first", "seed",
)  # fmt: skip
_SAVED = _key("saved_settings")


def _kept() -> list[str]:
    """Session keys kept: the page's own and its datasets' options (from the specs)."""
    return [_key(k) for k in PERSISTENT] + list(dataset_options.kept_keys(PREFIX, DATASETS))


def restore_settings() -> None:
    """Bring back the settings of earlier visits (first thing on the page; see kept_settings)."""
    kept_settings.restore(_kept(), _SAVED)


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    kept_settings.remember(_kept(), _SAVED)


# --- data and settings ------------------------------------------------------------------------


def dataset_ui() -> datasets.Dataset | None:
    """Pick digits (offline), MNIST or Fashion-MNIST; returns the loaded set or None."""
    infos = {i.name: i for i in datasets.available() if i.name in DATASETS}

    def label(name: str) -> str:
        info = infos[name]
        where = "offline" if info.offline else ("cached" if info.cached else "download")
        return f"{info.title} · {where}"

    c1, c2 = st.columns(2)
    name = c1.selectbox(
        "Dataset", list(infos), format_func=label, key=widget_default(_key("dataset"), "digits")
    )
    with c2:
        options = dataset_options.options_ui(
            infos[name].spec, PREFIX, defaults=_DEFAULTS, fixed=_FIXED.get(name), where=c2
        )
        if name in _FIXED:
            st.caption("1,797 scikit-learn digits, upscaled to 28 × 28 and framed like MNIST.")
    try:
        return load_builtin(infos[name], options, prefix=PREFIX)
    except InputError as err:
        st.error(plain(err), icon=":material/cloud_off:")
        return None


def _apply_defaults(name: str) -> None:
    """The course's settings for a dataset, set once when the dataset changes."""
    state = st.session_state
    if state.get(_key("defaults_for")) == name and _key("epochs") in state:
        return
    state[_key("defaults_for")] = name
    cfg = autoencoder.recommended_config(name)
    state[_key("epochs")] = int(cfg.epochs)
    state[_key("batch")] = int(cfg.batch_size)
    state.setdefault(_key("noise"), float(cfg.autoencoder.noise_level))
    state.setdefault(_key("loss"), cfg.autoencoder.loss)


def settings_ui(ds: datasets.Dataset) -> TrainingConfig | None:
    """Noise level, loss, epochs and batch size; returns a validated config or None."""
    _apply_defaults(ds.name)
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    noise = c1.slider(
        "Noise level (training)",
        0.0,
        1.0,
        step=0.05,
        key=_key("noise"),
        help="Standard deviation of the Gaussian noise added to pixels in 0..1, before "
        "clipping back to 0..1: x_noisy = clip(x + level · normal, 0, 1). The course uses "
        "0.5. Fresh noise is drawn for every batch.",
    )
    loss = c2.radio(
        "Reconstruction loss",
        autoencoder.LOSSES,
        format_func=autoencoder.LOSS_TITLES.get,
        key=_key("loss"),
        help="Compared pixel by pixel with the clean image.",
    )
    epochs = c3.number_input("Epochs", 1, 100, key=_key("epochs"))
    batch = c4.selectbox("Batch size", BATCH_SIZES, key=_key("batch"))
    cfg = autoencoder.recommended_config(ds.name, noise_level=float(noise), loss=str(loss))
    cfg.epochs, cfg.batch_size = int(epochs), int(batch)
    try:
        cfg.validate()
        autoencoder.build_model(ds.input_shape)  # refuses sizes that do not pool twice
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
    st.caption(
        "Adam, learning rate 0.001, 10% of the training images held out for validation; "
        "the clean images are the targets. Binary cross-entropy stays above 0 even for a "
        "perfect copy of grey pixels, so its curve levels off well above 0: compare "
        "reconstructions by their mean squared error below. The course's own run: MNIST "
        "(all images), noise 0.5, binary cross-entropy, batch 128, 50 epochs."
    )
    return cfg


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer_rows(input_shape: tuple, filters: int) -> list[dict]:
    model = autoencoder.build_model(input_shape, filters)
    rows = []
    for layer in model.layers[1:]:
        shape = tuple(int(v) for v in layer.output.shape[1:])
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output": " × ".join(str(v) for v in shape),
                "params": int(layer.count_params()),
            }
        )
    return rows


def network_ui(ds: datasets.Dataset, cfg: TrainingConfig) -> None:
    """The layers the course builds, with their output shapes."""
    rows = _layer_rows(tuple(int(v) for v in ds.input_shape), int(cfg.autoencoder.filters))
    table = pd.DataFrame(rows)
    h, w, c = (int(v) for v in ds.input_shape)
    neck = next(r["output"] for r in rows if r["layer"] == autoencoder.BOTTLENECK)
    st.caption(
        f"Encoder: {h} × {w} × {c} → **{neck}** (the bottleneck: {h * w * c:,} pixels "
        f"squeezed into {int(np.prod([int(v) for v in neck.split(' × ')])):,} numbers); "
        f"decoder: back to {h} × {w} × {c}. {int(table['params'].sum()):,} parameters."
    )
    st.dataframe(table, hide_index=True, width="stretch")


# --- results ----------------------------------------------------------------------------------


def stored_autoencoders() -> list[dict]:
    """Metadata of the autoencoders this workspace may see, newest first."""
    return [m for m in model_store().list(session_id()) if autoencoder.is_autoencoder(m)]


def model_choice_ui(latest_id: str | None) -> dict | None:
    """Pick a stored autoencoder (the latest run first); returns its metadata or None."""
    metas = stored_autoencoders()
    if not metas:
        return None
    by_id = {str(m["id"]): m for m in metas}
    state = st.session_state
    if latest_id in by_id and state.get(_key("shown_latest")) != latest_id:
        state[_key("shown_latest")] = latest_id
        state[_key("model")] = latest_id  # a run that just finished is what one wants to see
    if state.get(_key("model")) not in by_id:
        state[_key("model")] = next(iter(by_id))

    def label(model_id: str) -> str:
        meta = by_id[model_id]
        metrics = meta.get("test_metrics") or {}
        mse = metrics.get("mse")
        extra = f" · test MSE {mse:.4f}" if isinstance(mse, (int, float)) else ""
        return f"{meta.get('name', model_id)}{extra}"

    chosen = st.selectbox("Autoencoder", list(by_id), format_func=label, key=_key("model"))
    return by_id[chosen]


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


def truth_sentence(result: autoencoder.Denoised, level: float) -> str:
    """One sentence comparing the model with returning the noisy input unchanged."""
    model = float(np.mean(result.mse_model))
    base = float(np.mean(result.mse_noisy))
    n = len(result.mse_model)
    better = int(np.sum(result.mse_model < result.mse_noisy))
    if level == 0:
        return (
            f"With no noise the baseline (the input itself) is perfect; the reconstructions "
            f"differ from the clean images by a mean squared error of {model:.4f} on these "
            f"{n} test images."
        )
    blur = ""
    if result.mse_blur is not None and len(result.mse_blur):
        blurred = float(np.mean(result.mse_blur))
        verdict = "better than" if model < blurred else "not better than"
        blur = (
            f" That is {verdict} a plain {result.blur_size}×{result.blur_size} Gaussian blur "
            f"of the noisy image (MSE {blurred:.4f}), the best of three blurs tried on these "
            "very images."
        )
    if model < base:
        return (
            f"At noise {level:g}, the reconstructions are **{base / model:.1f}× closer** to "
            f"the clean images than the noisy inputs themselves (mean squared error "
            f"{model:.4f} against {base:.4f}; better on {better} of {n} test images)." + blur
        )
    return (
        f"At noise {level:g}, the network does **no better than doing nothing**: mean "
        f"squared error {model:.4f} against {base:.4f} for the noisy inputs themselves "
        f"(better on {better} of {n} test images). Train longer, or at this noise level." + blur
    )


TRUST = (
    "How far to trust it: measured on test images the network never trained on, with one "
    "draw of noise (press *New noise* to see it move); mean squared error weighs every pixel "
    "alike, so a blurry digit can score well while a thin stroke is lost: look at the rows."
)


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
    if state.get(_key("noise_for")) != meta["id"]:
        state[_key("noise_for")] = meta["id"]
        state[_key("view_noise")] = trained_at
    c1, c2, c3 = st.columns([5, 2, 2], vertical_alignment="bottom")
    level = c1.slider(
        "Noise level of these test images",
        0.0,
        1.0,
        step=0.05,
        key=_key("view_noise"),
        help=f"This network trained at noise {trained_at:g}. Move it to see how far its "
        "denoising carries to weaker or stronger noise.",
    )
    last = max(0, len(images) - SHOWN)
    if not 0 <= int(state.get(_key("first"), 0)) <= last:  # kept from a larger test set
        state[_key("first")] = 0
    start = c2.number_input("First test image", 0, last, step=SHOWN, key=_key("first"))
    if c3.button("New noise", icon=":material/casino:", key=_key("reseed")):
        state[_key("seed")] = int(state.get(_key("seed"), 0)) + 1
    seed = int(state.get(_key("seed"), 0))
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

    st.subheader("The bottleneck")
    c1, c2 = st.columns([1, 3])
    which = c1.selectbox(
        "Image",
        list(range(len(batch))),
        format_func=lambda i: f"test image {int(start) + i}",
        key=_key("neck_image"),
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
            key=_key("neck_grid"),
        )
        st.caption(
            f"Everything the decoder knows about this image is these {h * w * c:,} numbers. "
            "Channels marked *zero* stay at zero for this image (ReLU)."
        )
