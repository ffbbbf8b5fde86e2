"""Sections of the Transfer learning page: base, mode, settings, layer plan, comparison.

The dataset picker, live progress and evaluation are the Train page's sections
(:mod:`cnnviz.ui.train`) with the key prefix ``"transfer"``; the work is done by
:mod:`cnnviz.transfer`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cnnviz import datasets, pretrained, transfer
from cnnviz.errors import InputError
from cnnviz.training import Augmentation, TrainingConfig
from cnnviz.ui import dataset_options, kept_settings
from cnnviz.ui.busy import busy_sign
from cnnviz.ui.session import session_id
from cnnviz.ui.train.state import BATCH_SIZES, model_store

PREFIX = "transfer"
PAGE = "pages/transfer.py"
LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
MODE_COLOURS = {
    "features": "#4c78a8",
    "frozen": "#f58518",
    "finetune": "#54a24b",
    "scratch": "#9d9d9d",
}


def _key(name: str) -> str:
    return f"{PREFIX}_{name}"


# Widget values kept while the student visits other pages (Streamlit forgets the state of
# widgets that a run did not draw).
PERSISTENT = (
    "dataset", "zip_size", "base", "mode", "epochs", "lr", "batch", "units",
    "dropout", "pooling", "depth", "head_first", "flip", "rotation", "zoom",
)  # fmt: skip
_SAVED = _key("saved_settings")


def _kept() -> list[str]:
    """Session keys kept: the page's own and every dataset option (from the specs)."""
    return [_key(k) for k in PERSISTENT] + list(dataset_options.kept_keys(PREFIX))


def restore_settings() -> None:
    """Bring back the settings of earlier visits (first thing on the page; see kept_settings)."""
    kept_settings.restore(_kept(), _SAVED)


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    kept_settings.remember(_kept(), _SAVED)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_plan(config: transfer.TransferConfig, num_classes: int) -> transfer.Plan:
    return transfer.describe(config, num_classes)


def _plan(config: transfer.TransferConfig, num_classes: int) -> transfer.Plan:
    """Layer list and parameter counts (reads the shared pretrained model, changes nothing)."""
    with busy_sign("Putting a new head on the base to count its layers…"):
        return _cached_plan(config, num_classes)


def base_ui() -> transfer.BaseSpec | None:
    """Pick the pretrained base; returns it, or None when it cannot be used now."""
    specs = {spec.name: spec for spec in transfer.bases()}

    def label(name: str) -> str:
        spec = specs[name]
        if name == pretrained.BUNDLED:
            where = "bundled, works offline"
        elif spec.offline:
            where = "weights in the Keras cache"
        else:
            where = f"needs its weights, {pretrained.info(name).download_mb:g} MB"
        return f"{spec.title} · {spec.input_size[0]}×{spec.input_size[1]} · {where}"

    st.session_state.setdefault(_key("base"), pretrained.BUNDLED)
    name = st.selectbox("Pretrained base", list(specs), format_func=label, key=_key("base"))
    spec = specs[name]
    st.caption(
        f"The base is {spec.title} trained on ImageNet, cut below its classifier (at layer "
        f"`{spec.cut_layer}`). Every image is resized to {spec.input_size[0]}×"
        f"{spec.input_size[1]} and preprocessed as {spec.title} expects "
        f"(`{spec.preprocessing.mode}`); grayscale images are repeated to three channels."
    )
    if not spec.offline:
        st.warning(
            pretrained.offline_message(name, "it is not in the Keras cache yet"),
            icon=":material/cloud_off:",
        )
        return None
    return spec


def mode_ui() -> str:
    """The three ways the courses teach, each with one sentence on when to use it."""
    st.session_state.setdefault(_key("mode"), "features")
    return st.radio(
        "How to train it",
        transfer.MODES,
        format_func=lambda m: transfer.MODE_TITLES[m],
        captions=[transfer.MODE_SENTENCES[m] for m in transfer.MODES],
        key=_key("mode"),
    )


def _apply_defaults(mode: str) -> None:
    """Set the mode's recommended settings once, when the mode changes."""
    state = st.session_state
    if state.get(_key("defaults_for")) == mode and _key("epochs") in state:
        return
    state[_key("defaults_for")] = mode
    cfg = transfer.recommended_config(mode)
    t = cfg.transfer
    state[_key("epochs")] = int(cfg.epochs)
    state[_key("lr")] = float(cfg.learning_rate)
    state[_key("batch")] = int(cfg.batch_size)
    state.setdefault(_key("units"), int(t.head_units))
    state.setdefault(_key("dropout"), float(t.head_dropout))
    state.setdefault(_key("pooling"), t.pooling)
    state[_key("depth")] = max(1, int(t.fine_tune_layers) or 20)
    state[_key("head_first")] = int(t.head_epochs) > 0
    state[_key("flip")] = cfg.augmentation.flip != "none"
    state[_key("zoom")] = float(cfg.augmentation.zoom)
    state[_key("rotation")] = float(cfg.augmentation.rotation)


def settings_ui(ds: datasets.Dataset, spec: transfer.BaseSpec, mode: str) -> TrainingConfig | None:
    """Head, optimisation and (frozen / fine-tune) augmentation settings.

    Returns:
        A validated config, or None (the problem is shown).
    """
    _apply_defaults(mode)
    state = st.session_state
    c1, c2, c3 = st.columns(3)
    epochs = c1.number_input("Epochs", 1, 200, key=_key("epochs"))
    lr = c2.select_slider(
        "Learning rate",
        LEARNING_RATES,
        key=_key("lr"),
        format_func=lambda v: f"{v:g}",
        help="Fine-tuning needs a small one (1e-5 to 1e-4), or it destroys what the base "
        "learned on ImageNet.",
    )
    batch = c3.select_slider("Batch size", BATCH_SIZES, key=_key("batch"))
    h1, h2, h3 = st.columns(3)
    units = h1.select_slider("Head: Dense units", [0, 32, 64, 128, 256, 512], key=_key("units"))
    dropout = h2.slider("Head: dropout", 0.0, 0.8, step=0.05, key=_key("dropout"))
    pooling = h3.radio(
        "Head: pooling",
        transfer.POOLINGS,
        format_func=lambda p: "Global average" if p == "avg" else "Flatten (as with VGG16)",
        key=_key("pooling"),
        horizontal=True,
    )
    depth, head_epochs = 0, 0
    if mode == "finetune":
        n_layers = len(_plan(transfer.TransferConfig(base=spec.name), ds.num_classes).layers)
        state[_key("depth")] = min(int(state.get(_key("depth"), 20)), n_layers)
        depth = st.slider(
            "Layers of the base to fine-tune (counted from the top)",
            1,
            n_layers,
            key=_key("depth"),
            help="BatchNorm layers among them stay frozen, in inference mode.",
        )
        head_first = st.checkbox(
            "First train the head on the frozen base's features (5 epochs, a few seconds)",
            key=_key("head_first"),
            help="A random head sends large gradients into the base; the courses train the "
            "head first, then fine-tune.",
        )
        head_epochs = 5 if head_first else 0
    augmentation = Augmentation()
    if mode in ("frozen", "finetune"):
        a1, a2, a3 = st.columns(3)
        flip = a1.toggle("Random horizontal flips", key=_key("flip"))
        rotation = a2.slider(
            "Rotation (fraction of a turn)", 0.0, 0.2, step=0.01, key=_key("rotation")
        )
        zoom = a3.slider("Zoom", 0.0, 0.3, step=0.05, key=_key("zoom"))
        augmentation = Augmentation(
            flip="horizontal" if flip else "none", rotation=rotation, zoom=zoom
        )
    else:
        st.caption(
            "Feature extraction sees each image once, through the frozen base, so there is no "
            "augmentation here: use the frozen mode for that."
        )
    try:
        cfg = TrainingConfig(
            transfer=transfer.TransferConfig(
                base=spec.name,
                mode=mode,
                fine_tune_layers=int(depth),
                head_units=int(units),
                head_dropout=float(dropout),
                pooling=pooling,
                head_epochs=head_epochs,
            ),
            epochs=int(epochs),
            learning_rate=float(lr),
            batch_size=int(batch),
            augmentation=augmentation,
            schedule="constant" if mode == "finetune" else "cosine",
            validation_split=0.0 if ds.x_val is not None else 0.15,
        )
        cfg.validate()
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return None
    return cfg


def plan_ui(cfg: TrainingConfig, ds: datasets.Dataset) -> None:
    """Parameter summary as the courses print it, and the base's frozen / trainable layers."""
    plan = _plan(cfg.transfer, ds.num_classes)
    c1, c2, c3 = st.columns(3)
    c1.metric("Total params", f"{plan.trainable + plan.non_trainable:,}")
    c2.metric("Trainable params", f"{plan.trainable:,}")
    c3.metric("Non-trainable params", f"{plan.non_trainable:,}")
    trainable_base = sum(r["trainable"] for r in plan.layers)
    title = (
        f"Layers: {len(plan.layers)} in the base ({trainable_base} trainable), "
        f"{len(plan.head)} in the new head"
    )
    with st.expander(title, expanded=cfg.transfer.mode == "finetune"):
        rows = []
        for part, items in (("base", plan.layers), ("head", plan.head)):
            for r in items:
                frozen_bn = part == "base" and r["type"] == "BatchNormalization"
                state = "trainable" if r["trainable"] else "frozen"
                if frozen_bn and cfg.transfer.mode == "finetune":
                    state = "frozen (BatchNorm, inference mode)"
                rows.append({"part": part, **r, "state": state})
        frame = pd.DataFrame(rows).drop(columns=["trainable"])
        st.dataframe(
            frame.iloc[::-1],  # the top of the network first, where fine-tuning starts
            hide_index=True,
            height=320,
            column_config={"params": st.column_config.NumberColumn("params", format="%d")},
            key=_key("layers"),
        )
        st.code(plan.summary, language=None)


def compare_figure(rows: list[dict]) -> go.Figure:
    """Test errors per run, coloured by mode (hover: accuracy, seconds, trainable params)."""
    fig = go.Figure()
    labels = [f"{i + 1}. {r['mode']} · {r['base']}" for i, r in enumerate(rows)]
    for mode in dict.fromkeys(r["mode"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["mode"] == mode]
        fig.add_bar(
            x=[labels[i] for i in idx],
            y=[rows[i]["errors"] for i in idx],
            name=mode,
            marker_color=MODE_COLOURS.get(mode, "#b279a2"),
            text=[f"{rows[i]['errors']} / {rows[i]['test images']}" for i in idx],
            textposition="outside",
            customdata=[
                [rows[i]["test accuracy"], rows[i]["seconds"], rows[i]["trainable params"]]
                for i in idx
            ],
            hovertemplate="%{x}<br>errors %{y}<br>test accuracy %{customdata[0]:.1%}"
            "<br>%{customdata[1]:.0f} s<br>%{customdata[2]:,} trainable params<extra></extra>",
        )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "test errors", "range": [0, max(1, max(r["errors"] for r in rows)) * 1.25]},
        xaxis={"categoryorder": "array", "categoryarray": labels},
        legend_title_text="mode",
    )
    return fig


def compare_ui(ds: datasets.Dataset) -> None:
    """Every saved run on this dataset (transfer and from-scratch) in a table and a plot."""
    dataset = {"name": ds.name, "options": dict(getattr(ds, "options", {}) or {})}
    rows = transfer.compare_rows(model_store().list(session_id()), dataset)
    if not rows:
        st.caption(
            f"No runs on **{ds.name}** yet. Train a few (each mode, or a network from scratch "
            "on the Train page) and compare them here."
        )
        return
    frame = pd.DataFrame(rows).drop(columns=["id"])
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "test accuracy": st.column_config.NumberColumn("test accuracy", format="percent"),
            "seconds": st.column_config.NumberColumn("seconds", format="%.0f"),
            "trainable params": st.column_config.NumberColumn("trainable params", format="%d"),
        },
        key=_key("compare_table"),
    )
    st.plotly_chart(compare_figure(rows), key=_key("compare_plot"))
    st.caption(
        "The courses' experiment: errors fall going from the frozen base, to fine-tuning, to "
        "fine-tuning with augmentation. Runs from the Train page on the same data appear as "
        "`scratch`. Open any of them on the Grad-CAM page to see where it looks."
    )
