"""Filter visualization: the image each filter likes most, found by gradient ascent."""

import time

import numpy as np
import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import config, featureviz, images, modelutils
from cnnviz.errors import InputError
from cnnviz.ui import image_source
from cnnviz.ui.busy import busy_sign
from cnnviz.ui.image_picker import decode_upload
from cnnviz.ui.inspect import enlarge, gallery_cache
from cnnviz.ui.model_picker import model_key, model_picker
from cnnviz.ui.text import plain

MAX_FILTERS = 32
SIZES = [32, 48, 64, 96, 128, 160, 224]
METHOD_LABELS = {
    "fourier": "Quality: Fourier basis + random jitter, scale, rotation (Adam)",
    "naive": "Naive: plain gradient steps on the pixels",
    "both": "Both, side by side on the same filters",
}
TITLES = {"fourier": "Quality recipe", "naive": "Naive gradient ascent"}
EXEMPLARS = 9  # real patches per filter, shown as a 3 × 3 grid
MAX_EXEMPLAR_IMAGES = 2000  # test images searched (a forward pass each)
MAX_EXEMPLAR_UPLOADS = 64  # own photos searched

st.title("Filter visualization")
st.caption(
    "Start from noise and change the image, step by step, so that one filter fires as "
    "strongly as it can (**gradient ascent**). The result shows what the filter looks for. "
    "The naive recipe finds high-frequency noise that also works; the quality recipe "
    "(Olah et al., Distill 2017) keeps images natural by drawing them in a Fourier basis "
    "and jittering them on every step."
)

top = st.columns([1.2, 1, 1])
with top[0]:
    model = model_picker("featureviz")
    st.caption(
        "Each picture is the input that makes ONE filter's average activation as large as "
        "possible. Early layers like colours and edges, deeper ones textures and parts. "
        "The same seed gives the same pictures."
    )
if model is None:
    st.stop()
mkey = model_key(model)

try:
    convs = modelutils.conv_layers(model)
    infos = {info.name: info for info in modelutils.layer_infos(model)}
except InputError as err:
    st.error(plain(err), icon=":material/block:")
    st.stop()
if not convs:
    st.error(
        "This model has no convolution layer, so there are no filters to visualise. Pick a "
        "model with Conv2D layers.",
        icon=":material/block:",
    )
    st.stop()

big = int(model.model.count_params()) > featureviz.BIG_MODEL_PARAMS
input_side = int(model.input_size[0])
default_layer = featureviz.default_layer(model)


def _layer_label(name: str) -> str:
    info = infos[name]
    shape = " × ".join(str(d) for d in info.output_shape)
    return f"{name} · {info.class_name} · {shape}"


with top[1]:
    layer = st.selectbox(
        "Layer",
        convs,
        index=convs.index(default_layer),
        format_func=_layer_label,
        key=f"fv_layer_{mkey}",
    )
    count = featureviz.filter_count(model, layer)
    if count > 1:
        first, last = st.slider(
            f"Filters (this layer has {count})",
            0,
            count - 1,
            (0, min(count, 8) - 1),
            key=f"fv_filters_{mkey}_{layer}",
            help=f"At most {MAX_FILTERS} at once; all are optimised together in one batch.",
        )
    else:
        first, last = 0, 0
    method = st.radio(
        "Recipe",
        list(METHOD_LABELS),
        format_func=METHOD_LABELS.get,
        key="fv_method",
    )
with top[2]:
    default_steps = featureviz.default_steps()
    if big and not config.fast_mode():
        default_steps = min(default_steps, 128)
    steps = st.slider("Steps", 0, 512, int(default_steps), step=8, key=f"fv_steps_{big}")
    sizes = sorted(set(SIZES) | {min(input_side, featureviz.MAX_SIZE)})
    default_size = 128 if input_side >= 128 else max(input_side, featureviz.MIN_SIZE)
    size = st.select_slider(
        "Image size (pixels)", sizes, value=default_size, key=f"fv_size_{input_side}"
    )
    seed = st.number_input("Random seed", 0, 10_000, 0, step=1, key="fv_seed")

if last - first + 1 > MAX_FILTERS:
    st.warning(f"Showing filters {first}–{first + MAX_FILTERS - 1} (at most {MAX_FILTERS}).")
    last = first + MAX_FILTERS - 1
filters = tuple(range(first, last + 1))
methods = ["fourier", "naive"] if method == "both" else [method]
cache = gallery_cache()
keys = {m: (mkey, layer, filters, int(steps), int(size), int(seed), m) for m in methods}
missing = [m for m in methods if cache.get(keys[m]) is None]

if missing:
    note = (
        "This takes a while on a CPU for a big network: try fewer filters or steps first."
        if big
        else "Small models take a few seconds."
    )
    prompt = st.empty()
    with prompt.container():
        st.info(
            f"Press **Generate** to optimise {len(filters)} filter(s) of {plain(layer)}. {note}"
        )
        clicked = st.button("Generate", type="primary", key="fv_generate")
    if clicked:
        prompt.empty()
        bar = st.progress(0.0, text="Starting…")
        for run, m in enumerate(missing):

            def progress(done: int, total: int, run: int = run, m: str = m) -> None:
                """Move the bar: runs of both recipes share it."""
                frac = (run + done / max(total, 1)) / len(missing)
                bar.progress(min(frac, 1.0), text=f"{TITLES[m]}: step {done} of {total}")

            started = time.perf_counter()
            try:
                gallery = featureviz.visualize_filters(
                    model, layer, list(filters), steps=int(steps), size=int(size),
                    seed=int(seed), method=m, progress=progress,
                )  # fmt: skip
            except InputError as err:
                bar.empty()
                st.error(plain(err), icon=":material/block:")
                st.stop()
            cache.put(keys[m], gallery)
            st.session_state[f"fv_seconds_{keys[m]}"] = time.perf_counter() - started
        bar.empty()
        missing = []

if not missing:
    columns = st.columns(len(methods))
    per_row = 8 if len(methods) == 1 else 4
    for col, m in zip(columns, methods, strict=True):
        with col:
            gallery = cache.get(keys[m])
            seconds = st.session_state.get(f"fv_seconds_{keys[m]}")
            st.markdown(f"**{TITLES[m]}** · {plain(layer)}, {steps} steps, {size} px")
            if seconds is not None:
                st.caption(f"made in {seconds:.1f} s (cached: a revisit is instant)")
            period = featureviz.optimised_side(model, layer, int(size), m)
            if period < int(size):
                st.caption(
                    f"Each picture is one {period}-px tile, repeated: a filter of this layer "
                    f"sees about {period} px of its input (its effective receptive field), so "
                    "a larger picture would only show more copies of the same pattern."
                )
            for start in range(0, len(filters), per_row):
                cells = st.columns(per_row)
                for cell, index, image in zip(
                    cells, filters[start : start + per_row], gallery[start : start + per_row],
                    strict=False,
                ):  # fmt: skip
                    shown, _ = enlarge(np.asarray(image), 128)
                    cell.image(shown, caption=f"filter {index}", width="stretch")


def _mosaic(patches: np.ndarray, per_row: int = 3, gap: int = 2) -> np.ndarray:
    """(k, h, w, 3) patches → one (rows, per_row) grid image, each enlarged, white gaps."""
    big = [enlarge(np.asarray(p), 40)[0] for p in patches]
    h, w = big[0].shape[:2]
    rows = -(-len(big) // per_row)
    grid = np.full((rows * (h + gap) - gap, per_row * (w + gap) - gap, 3), 255, np.uint8)
    for n, p in enumerate(big):
        r, c = divmod(n, per_row)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = p
    return grid


def _uploaded_photos() -> tuple[list[np.ndarray], str]:
    """The student's own photos for the real examples (decoded once each), and their digest."""
    files = st.file_uploader(
        "Add your own photos to search (up to 64)",
        type=list(images.ALLOWED_EXTENSIONS),
        accept_multiple_files=True,
        key=f"fv_exemplar_uploads_{mkey}",
        max_upload_size=images.MAX_FILE_BYTES // 2**20,
        help="The patches that excite each filter most are then looked for in these too.",
    )
    photos, digests, refused = [], [], []
    for f in (files or [])[:MAX_EXEMPLAR_UPLOADS]:
        data = f.getvalue()
        try:
            photos.append(decode_upload(data))
        except InputError as err:
            refused.append(f"{f.name}: {err}")
            continue
        digests.append(image_source.image_digest(photos[-1]))
    if files and len(files) > MAX_EXEMPLAR_UPLOADS:
        st.warning(f"Only the first {MAX_EXEMPLAR_UPLOADS} photos are searched.")
    for line in refused:
        st.error(plain(line), icon=":material/block:")
    return photos, ",".join(digests)


def _exemplar_pool() -> tuple[str, object, str]:
    """Where real examples come from: the model's own test set, else samples and uploads.

    Returns:
        (source, images, digest of the uploads: part of the cache key).
    """
    try:
        ds = image_source.test_set(model)
    except InputError:
        ds = None
    if ds is not None:
        return "test", ds.x_test[:MAX_EXEMPLAR_IMAGES], ""
    photos, digest = _uploaded_photos()
    return "samples", [*images.samples().values(), *photos], digest


if not missing:
    st.subheader("Real examples")
    source, pool, uploads_digest = _exemplar_pool()
    n_own = len(pool) - len(images.samples()) if source == "samples" else 0
    where = (
        f"the {min(len(pool), MAX_EXEMPLAR_IMAGES)} images of the model's test set"
        if source == "test"
        else f"the {len(pool) - n_own} offline sample photos and your {n_own} photo(s)"
        if n_own
        else f"the {len(pool)} offline sample photos (this model's training images are not "
        "here: add your own photos above to search them too)"
    )
    st.caption(
        f"Next to each picture: the {EXEMPLARS} patches of {where} that excite the filter "
        "most, each cropped to the part of the image the filter sees (its receptive field; "
        "grey where the field runs off the image). People predict what a unit does better "
        "from such real examples than from synthetic pictures (Borowski et al., ICLR 2021)."
    )
    if source == "samples" and len(pool) < EXEMPLARS:
        st.caption(f"With {len(pool)} images, each filter shows {len(pool)} examples.")
    ex_key = (mkey, layer, filters, "exemplars", source, uploads_digest)
    mosaics = cache.get(ex_key)
    if mosaics is None:
        try:
            with busy_sign("Finding the strongest real examples…"):
                ex = featureviz.top_exemplars(model, layer, list(filters), pool, k=EXEMPLARS)
        except InputError as err:
            st.error(plain(err), icon=":material/block:")
            st.stop()
        mosaics = np.stack([_mosaic(p) for p in ex.patches])
        cache.put(ex_key, mosaics)
    shown_images = cache.get(keys[methods[0]])
    per_pair = 4
    for start in range(0, len(filters), per_pair):
        cells = st.columns(2 * per_pair)
        for n, index in enumerate(filters[start : start + per_pair]):
            pos = start + n
            picture, _ = enlarge(np.asarray(shown_images[pos]), 128)
            cells[2 * n].image(picture, caption=f"filter {index}, generated", width="stretch")
            cells[2 * n + 1].image(
                mosaics[pos], caption=f"filter {index}, top {EXEMPLARS} real", width="stretch"
            )
