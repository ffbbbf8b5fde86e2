"""Train page, section 1: the dataset picker (built-in or a zip) and its preview."""

from __future__ import annotations

import json

import streamlit as st

from cnnviz import caching, config, datasets, workspaces
from cnnviz.errors import InputError
from cnnviz.ui.common import training_plots
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.dataset_options import options_ui
from cnnviz.ui.common.session import client_address, session_id, workspace
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.state import ZIP_CHOICE, enlarge, model_store, widget_default


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_dataset(name: str, options_json: str, _progress=None) -> datasets.Dataset:
    """Built-in datasets are shared read-only by every session."""
    return datasets.load(name, **json.loads(options_json), progress=_progress)


def load_builtin(
    info: datasets.DatasetInfo, options: dict, prefix: str = "train"
) -> datasets.Dataset | None:
    """A registered dataset with its options; None until the student clicks Download.

    A set not in the Keras cache yet is downloaded (with progress) only after the button.
    """
    key = json.dumps(options, sort_keys=True)
    if not info.cached:
        st.info(
            f"{info.title} is downloaded once (about {info.download_mb:.0f} MB) into the "
            "Keras cache; this needs an internet connection.",
            icon=":material/download:",
        )
        if not st.button(f"Download {info.title}", key=f"{prefix}_download_{info.name}"):
            return None
        bar = st.progress(0.0, text="Downloading…")

        def progress(fraction, message):
            bar.progress(min(1.0, fraction or 0.0), text=str(message))

        return cached_dataset(info.name, key, progress)
    with busy_sign(f"Loading {info.title}…"):
        return cached_dataset(info.name, key)


ZIP_IMAGE_SIZES = datasets.ZIP_IMAGE_SIZES
_ZIP_SIZE_NOTES = {150: " (photo courses)", 300: " (horse-or-human)"}


def _decode_zip(data: bytes, digest: str, size: int) -> datasets.Dataset:
    """Decode an uploaded archive and keep it in this workspace (quota checked first)."""
    ws = workspace()
    if ws is None:  # a test's plain owner id: keep the old per-owner folder
        workdir = config.home() / "uploads" / session_id() / digest
        return datasets.from_zip(data, workdir, image_size=size)
    # The archive itself is what is kept: its size is known before anything is decoded,
    # and reserved (with room for its options file) before anything is written.
    with ws.reserve(len(data) + 4096, model_store(), client_address()):
        return datasets.from_zip(data, ws.dataset_dir(digest), image_size=size, keep="archive")


def _saved_zip_ui(prefix: str) -> None:
    """Offer the datasets this workspace uploaded before (they survive reloads)."""
    ws = workspace()
    saved = ws.saved_datasets() if ws is not None else []
    if not saved:
        return
    state = st.session_state
    current = state.get(f"{prefix}_zip_digest")
    options = [d["digest"] for d in saved]
    names = {d["digest"]: f"{d['name']} ({d['bytes'] / 2**20:.1f} MB)" for d in saved}
    pick = st.selectbox(
        "Or use one you uploaded before",
        options,
        index=options.index(current) if current in options else None,
        format_func=names.get,
        placeholder="Your uploaded datasets",
        key=f"{prefix}_zip_saved",
    )
    if pick and pick != current:
        try:
            ds = datasets.load_saved(ws.dataset_dir(pick) / workspaces.DATASET_FILE)
        except InputError as err:
            st.error(plain(err), icon=":material/block:")
            return
        state[f"{prefix}_zip_digest"] = pick
        state[f"{prefix}_zip_dataset"] = ds
        state.pop(f"{prefix}_zip_error", None)


def _zip_ui(prefix: str = "train") -> datasets.Dataset | None:
    st.caption(
        "A .zip with one folder per class (`cats/…`, `dogs/…`), or split folders as the "
        "courses and Kaggle ship them: `train/`, `validation/`, `test/`, or `training_set/` "
        "and `test_set/`, each with one folder per class. At least two classes and a few "
        "images each. Your upload is kept in your workspace and counts towards its space."
    )
    size = st.segmented_control(
        "Image size",
        ZIP_IMAGE_SIZES,
        format_func=lambda v: f"{v} × {v}" + _ZIP_SIZE_NOTES.get(v, ""),
        key=widget_default(f"{prefix}_zip_size", datasets.PHOTO_ZIP_IMAGE_SIZE),
        help="Every image is resized to this square when the archive is read. The photo "
        "courses use 150 (cats and dogs, flowers), horse-or-human 300; a pretrained base's "
        "own size is 224. Take 64 for small drawings or digits. Larger keeps more detail but "
        "uses more memory and trains more slowly.",
    )
    size = int(size or datasets.PHOTO_ZIP_IMAGE_SIZE)
    state = st.session_state
    upload = st.file_uploader("Your images (.zip)", type=["zip"], key=f"{prefix}_zip_upload")
    if upload is None:
        _saved_zip_ui(prefix)
        kept = state.get(f"{prefix}_zip_dataset")
        if kept is not None:  # the uploader forgets its file when the student leaves the page
            st.caption(f"Using your upload **{plain(kept.name)}**; upload another to change.")
        return kept
    data = upload.getvalue()
    digest = f"{caching.digest(data, size=8)}{size:04d}"  # 16 hex digits, then the size
    if state.get(f"{prefix}_zip_digest") != digest:
        state.pop(f"{prefix}_zip_dataset", None)
        state[f"{prefix}_zip_digest"] = digest
        try:
            with busy_sign("Checking and decoding the images…"):
                state[f"{prefix}_zip_dataset"] = _decode_zip(data, digest, size)
            state.pop(f"{prefix}_zip_error", None)
        except InputError as err:
            state[f"{prefix}_zip_error"] = str(err)
    del data
    if f"{prefix}_zip_error" in state:
        st.error(plain(state[f"{prefix}_zip_error"]), icon=":material/block:")
        return None
    return st.session_state.get(f"{prefix}_zip_dataset")


def dataset_ui(prefix: str = "train") -> datasets.Dataset | None:
    """Pick a dataset (built-in or a .zip upload); returns it loaded, or None.

    Args:
        prefix: start of the section's session-state keys (one per page that shows it).
    """
    infos = {i.name: i for i in datasets.available()}
    choices = [*infos, ZIP_CHOICE]

    def label(name: str) -> str:
        if name == ZIP_CHOICE:
            return "Your own images (.zip upload)"
        info = infos[name]
        suffix = "" if info.cached else f" · download {info.download_mb:.0f} MB"
        return info.title + suffix

    name = st.selectbox("Dataset", choices, format_func=label, key=f"{prefix}_dataset")
    if name == ZIP_CHOICE:
        return _zip_ui(prefix)
    info = infos[name]
    st.caption(info.description)
    options = options_ui(info.spec, prefix)  # drawn from the dataset's spec
    try:
        return load_builtin(info, options, prefix)
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None


def is_zip_choice(prefix: str = "train") -> bool:
    """True when the student picked their own .zip upload."""
    return st.session_state.get(f"{prefix}_dataset") == ZIP_CHOICE


def dropout_override() -> float | None:
    """The dropout rate chosen in the settings, or None when not overridden."""
    if st.session_state.get("train_dropout_on"):
        return float(st.session_state.get("train_dropout", 0.3))
    return None


def dataset_preview_ui(
    ds: datasets.Dataset, per_class: int = 8, max_classes: int = 12, prefix: str = "train"
) -> None:
    """Sample grid per class, class distribution and image size."""
    h, w, c = ds.input_shape
    n_val = 0 if ds.x_val is None else len(ds.x_val)
    st.caption(
        f"**{plain(ds.name)}**: {len(ds.x_train):,} training"
        + (f", {n_val:,} validation" if n_val else "")
        + f" and {len(ds.x_test):,} test images of {h}×{w} pixels, "
        + ("colour (RGB)" if c == 3 else "grayscale")
        + f", {ds.num_classes} classes."
    )
    for note in getattr(ds, "notes", []) or []:
        st.caption(plain(note))
    grid, chart = st.columns([3, 2])
    with grid:
        samples = ds.sample_indices(per_class=per_class, seed=0)
        for k, (cls, idx) in enumerate(samples.items()):
            if k >= max_classes:
                st.caption(f"… and {ds.num_classes - max_classes} more classes.")
                break
            left, right = st.columns([1, 6], vertical_alignment="center")
            left.markdown(f"**{plain(cls)}**")
            if len(idx):
                right.image(list(enlarge(ds.x_train[idx], 48)), width=48)
    with chart:
        counts = {"train": ds.class_counts("train")}
        if ds.x_val is not None:
            counts["validation"] = ds.class_counts("val")
        counts["test"] = ds.class_counts("test")
        kind = st.radio(
            "Class counts as",
            ["bars", "pie"],
            horizontal=True,
            key=f"{prefix}_class_counts_chart",
            help="Bars compare the counts between splits; a pie shows each class's share "
            "of a split (is one class much rarer?).",
        )
        st.plotly_chart(
            training_plots.class_distribution_figure(counts, "pie" if kind == "pie" else "bar"),
            key=f"{prefix}_class_counts",
        )
