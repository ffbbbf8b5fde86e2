"""Head, optimisation and augmentation settings, with each mode's recommended values."""

from __future__ import annotations

import streamlit as st

from cnnviz import datasets, transfer
from cnnviz.errors import InputError
from cnnviz.training import Augmentation, TrainingConfig
from cnnviz.ui.train.state import BATCH_SIZES
from cnnviz.ui.transfer.plan import layer_plan
from cnnviz.ui.transfer.state import key_of

LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2]


def _apply_defaults(mode: str) -> None:
    """Set the mode's recommended settings once, when the mode changes."""
    state = st.session_state
    if state.get(key_of("defaults_for")) == mode and key_of("epochs") in state:
        return
    state[key_of("defaults_for")] = mode
    cfg = transfer.recommended_config(mode)
    t = cfg.transfer
    state[key_of("epochs")] = int(cfg.epochs)
    state[key_of("lr")] = float(cfg.learning_rate)
    state[key_of("batch")] = int(cfg.batch_size)
    state.setdefault(key_of("units"), int(t.head_units))
    state.setdefault(key_of("dropout"), float(t.head_dropout))
    state.setdefault(key_of("pooling"), t.pooling)
    state[key_of("depth")] = max(1, int(t.fine_tune_layers) or 20)
    state[key_of("head_first")] = int(t.head_epochs) > 0
    state[key_of("flip")] = cfg.augmentation.flip != "none"
    state[key_of("zoom")] = float(cfg.augmentation.zoom)
    state[key_of("rotation")] = float(cfg.augmentation.rotation)


def settings_ui(ds: datasets.Dataset, spec: transfer.BaseSpec, mode: str) -> TrainingConfig | None:
    """Head, optimisation and (frozen / fine-tune) augmentation settings.

    Returns:
        A validated config, or None (the problem is shown).
    """
    _apply_defaults(mode)
    state = st.session_state
    c1, c2, c3 = st.columns(3)
    epochs = c1.number_input("Epochs", 1, 200, key=key_of("epochs"))
    lr = c2.select_slider(
        "Learning rate",
        LEARNING_RATES,
        key=key_of("lr"),
        format_func=lambda v: f"{v:g}",
        help="Fine-tuning needs a small one (1e-5 to 1e-4), or it destroys what the base "
        "learned on ImageNet.",
    )
    batch = c3.select_slider("Batch size", BATCH_SIZES, key=key_of("batch"))
    h1, h2, h3 = st.columns(3)
    units = h1.select_slider("Head: Dense units", [0, 32, 64, 128, 256, 512], key=key_of("units"))
    dropout = h2.slider("Head: dropout", 0.0, 0.8, step=0.05, key=key_of("dropout"))
    pooling = h3.radio(
        "Head: pooling",
        transfer.POOLINGS,
        format_func=lambda p: "Global average" if p == "avg" else "Flatten (as with VGG16)",
        key=key_of("pooling"),
        horizontal=True,
    )
    depth, head_epochs = 0, 0
    if mode == "finetune":
        n_layers = len(layer_plan(transfer.TransferConfig(base=spec.name), ds.num_classes).layers)
        state[key_of("depth")] = min(int(state.get(key_of("depth"), 20)), n_layers)
        depth = st.slider(
            "Layers of the base to fine-tune (counted from the top)",
            1,
            n_layers,
            key=key_of("depth"),
            help="BatchNorm layers among them stay frozen, in inference mode.",
        )
        head_first = st.checkbox(
            "First train the head on the frozen base's features (5 epochs, a few seconds)",
            key=key_of("head_first"),
            help="A random head sends large gradients into the base; the courses train the "
            "head first, then fine-tune.",
        )
        head_epochs = 5 if head_first else 0
    augmentation = Augmentation()
    if mode in ("frozen", "finetune"):
        a1, a2, a3 = st.columns(3)
        flip = a1.toggle("Random horizontal flips", key=key_of("flip"))
        rotation = a2.slider(
            "Rotation (fraction of a turn)", 0.0, 0.2, step=0.01, key=key_of("rotation")
        )
        zoom = a3.slider("Zoom", 0.0, 0.3, step=0.05, key=key_of("zoom"))
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
