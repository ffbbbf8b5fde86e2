"""Base, head, optimisation and augmentation settings, with each mode's recommended values.

The optimizer, schedule, learning rate, batch size and augmentation widgets are the Train
page's (:mod:`cnnviz.ui.train.settings`), with this page's keys.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import datasets, training, transfer
from cnnviz.errors import InputError
from cnnviz.training import Augmentation, TrainingConfig
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.settings import (
    augmentation_to_state,
    augmentation_ui,
    optimizer_select,
    schedule_radio,
)
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES
from cnnviz.ui.transfer.plan import cut_layer_choices, layer_plan
from cnnviz.ui.transfer.second_step import stored_start_ui
from cnnviz.ui.transfer.state import PREFIX, key_of

HEAD_UNITS = [0, 32, 64, 128, 256, 512, 1024]
# Input sides offered (those the base accepts): the courses' 150, the bases' own 224 and 299.
INPUT_SIZES = [96, 128, 150, 160, 192, 224, 256, 299, 300, 384]
_HEAD_FIRST_EPOCHS = 5


def _apply_defaults(mode: str) -> None:
    """Set the mode's recommended settings once, when the mode changes."""
    state = st.session_state
    if isinstance(state.get(key_of("flip")), bool):  # kept by an earlier version: a toggle
        state[key_of("flip")] = "horizontal" if state[key_of("flip")] else "none"
    if state.get(key_of("defaults_for")) == mode and key_of("epochs") in state:
        return
    state[key_of("defaults_for")] = mode
    cfg = transfer.recommended_config(mode)
    t = cfg.transfer
    state[key_of("epochs")] = int(cfg.epochs)
    state[key_of("lr")] = float(cfg.learning_rate)
    state[key_of("batch")] = int(cfg.batch_size)
    state[key_of("optimizer")] = cfg.optimizer
    state[key_of("schedule")] = cfg.schedule
    state.setdefault(key_of("units"), int(t.head_units))
    state.setdefault(key_of("dropout"), float(t.head_dropout))
    state.setdefault(key_of("pooling"), t.pooling)
    state.setdefault(key_of("input_size"), OWN_SIZE)
    state.setdefault(key_of("cut_layer"), LAST_STAGE)
    state.setdefault(key_of("preprocessing"), t.preprocessing)
    state.setdefault(key_of("trainable_bn"), bool(t.trainable_batchnorm))
    state[key_of("depth")] = max(1, int(t.fine_tune_layers) or 20)
    state[key_of("head_first")] = int(t.head_epochs) > 0
    state[key_of("head_epochs")] = int(t.head_epochs) or _HEAD_FIRST_EPOCHS
    augmentation_to_state(cfg.augmentation, PREFIX)


# The widgets' values for "the base's own size" and "its last stage" (None in the config).
# Not None itself: a selectbox whose value is None shows "Choose an option", as if empty.
OWN_SIZE = 0
LAST_STAGE = ""


def _base_ui(spec: transfer.BaseSpec) -> tuple[int | None, str | None, str]:
    """Input size, cut layer and preprocessing of the base."""
    state = st.session_state
    own = spec.input_size[0]
    low, high = spec.input_sizes or (own, own)
    sizes = [OWN_SIZE] + [s for s in INPUT_SIZES if low <= s <= high and s != own]
    if state.get(key_of("input_size")) not in sizes:
        state[key_of("input_size")] = OWN_SIZE
    b1, b2, b3 = st.columns(3)
    size = b1.selectbox(
        "Input size",
        sizes,
        key=key_of("input_size"),
        format_func=lambda s: f"{own}×{own} (the base's own)" if s == OWN_SIZE else f"{s}×{s}",
        help="Every image is resized to this before the base. The courses use 150×150; the "
        "convolution weights fit any size, and smaller images are faster but show the base "
        "less detail.",
    )
    size = None if size == OWN_SIZE else size
    layers = cut_layer_choices(spec.name, size)
    if state.get(key_of("cut_layer")) not in [LAST_STAGE, *layers]:
        state[key_of("cut_layer")] = LAST_STAGE
    cut = b2.selectbox(
        "Cut the base at",
        [LAST_STAGE, *reversed(layers)],
        key=key_of("cut_layer"),
        format_func=lambda n: f"{spec.cut_layer} (its last stage)" if n == LAST_STAGE else n,
        help="The layer whose feature maps the new head receives. Lower layers see simpler "
        "patterns (edges, textures) and are less specific to ImageNet; the TensorFlow "
        "course cuts InceptionV3 at mixed7.",
    )
    pre = b3.radio(
        "Pixels given to the base",
        transfer.PREPROCESSINGS,
        key=key_of("preprocessing"),
        format_func=lambda p: (
            f"its own ({spec.preprocessing.mode})" if p == "base" else "pixels / 255 (the courses)"
        ),
    )
    st.caption(plain(transfer.PREPROCESSING_SENTENCE))
    return size, cut or None, pre


def settings_ui(ds: datasets.Dataset, spec: transfer.BaseSpec, mode: str) -> TrainingConfig | None:
    """Base, head, optimisation and (frozen / fine-tune) augmentation settings.

    Returns:
        A validated config, or None (the problem is shown).
    """
    _apply_defaults(mode)
    state = st.session_state
    size, cut, pre = _base_ui(spec)
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input("Epochs", 1, 200, key=key_of("epochs"))
    batch = c2.selectbox("Batch size", BATCH_SIZES, key=key_of("batch"))
    lr = c3.select_slider(
        "Learning rate",
        LEARNING_RATES,
        key=key_of("lr"),
        format_func=lambda v: f"{v:g}",
        help="Fine-tuning needs a small one (1e-5 to 1e-4), or it destroys what the base "
        "learned on ImageNet; the courses use RMSprop at 1e-4, 2e-5 or 2e-4.",
    )
    optimizer = optimizer_select(c4, key_of("optimizer"))
    schedule = schedule_radio(st, key_of("schedule"))
    h1, h2, h3 = st.columns(3)
    units = h1.select_slider("Head: Dense units", HEAD_UNITS, key=key_of("units"))
    dropout = h2.slider("Head: dropout", 0.0, 0.8, step=0.05, key=key_of("dropout"))
    pooling = h3.radio(
        "Head: pooling",
        transfer.POOLINGS,
        format_func=lambda p: "Global average" if p == "avg" else "Flatten (as with VGG16)",
        key=key_of("pooling"),
        horizontal=True,
    )
    depth, head_epochs, trainable_bn, start = 0, 0, False, None
    if mode == "finetune":
        start = stored_start_ui(ds, spec)
        cut_cfg = transfer.TransferConfig(base=spec.name, input_size=size, cut_layer=cut)
        if start is not None:
            cut_cfg = transfer.TransferConfig.from_dict(start["transfer"])
        n_layers = len(layer_plan(cut_cfg, ds.num_classes).layers)
        state[key_of("depth")] = min(int(state.get(key_of("depth"), 20)), n_layers)
        f1, f2 = st.columns([2, 1])
        depth = f1.slider(
            "Layers of the base to fine-tune (counted from the top)",
            1,
            n_layers,
            key=key_of("depth"),
        )
        trainable_bn = f2.toggle(
            "BatchNorm layers train too",
            key=key_of("trainable_bn"),
            help="Off (the Keras guide): BatchNorm layers among them stay frozen and keep "
            "their ImageNet statistics. On (the Flowers notebook): they learn and normalise "
            "with each batch's statistics while training.",
        )
        if start is None:
            g1, g2 = st.columns([3, 1], vertical_alignment="bottom")
            head_first = g1.checkbox(
                "First train the head on the frozen base's features (a few seconds)",
                key=key_of("head_first"),
                help="A random head sends large gradients into the base. The Keras guide and "
                "some courses train the head first, then fine-tune; others (LearnOpenCV's "
                "VGG16) fine-tune with a fresh head from the start, at a small learning rate.",
            )
            epochs_first = g2.number_input(
                "Head epochs", 1, 100, key=key_of("head_epochs"), disabled=not head_first
            )
            head_epochs = int(epochs_first) if head_first else 0
    augmentation = Augmentation()
    if mode in ("frozen", "finetune"):
        augmentation = augmentation_ui(ds, prefix=PREFIX)
    else:
        st.caption(
            "Feature extraction sees each image once, through the frozen base, so there is no "
            "augmentation here: use the frozen mode for that."
        )
    validation_split = 0.0 if ds.x_val is not None else 0.15
    try:
        if start is not None:
            cfg = transfer.fine_tune_further(
                start, start["id"], fine_tune_layers=int(depth), learning_rate=float(lr),
                optimizer=optimizer, epochs=int(epochs), batch_size=int(batch),
                trainable_batchnorm=bool(trainable_bn), augmentation=augmentation,
                schedule=schedule, validation_split=validation_split,
            )  # fmt: skip
            return cfg
        cfg = TrainingConfig(
            transfer=transfer.TransferConfig(
                base=spec.name,
                mode=mode,
                fine_tune_layers=int(depth),
                head_units=int(units),
                head_dropout=float(dropout),
                pooling=pooling,
                head_epochs=head_epochs,
                input_size=size,
                cut_layer=cut,
                trainable_batchnorm=bool(trainable_bn),
                preprocessing=pre,
            ),
            epochs=int(epochs),
            learning_rate=float(lr),
            batch_size=int(batch),
            optimizer=optimizer,
            augmentation=augmentation,
            schedule=schedule if schedule in training.SCHEDULES else "constant",
            validation_split=validation_split,
        )
        cfg.validate()
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
    return cfg
