"""Train page, section 3: optimiser, schedule, augmentation and the config they make."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import datasets, training
from cnnviz.errors import InputError
from cnnviz.training import (
    Augmentation,
    TrainingConfig,
)
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.state import (
    BATCH_SIZES,
    LEARNING_RATES,
    SIMPLE_KEY,
    WEIGHT_DECAYS,
    enlarge,
    widget_default,
)


def optimizer_select(container, key: str) -> str:
    """The optimizer choice (Adam, RMSprop, SGD), as the Train and Transfer pages show it."""
    return container.selectbox(
        "Optimizer",
        list(training.OPTIMIZERS),
        key=key,
        format_func=lambda o: {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD + momentum"}[o],
    )


def schedule_radio(container, key: str) -> str:
    """The learning-rate schedule choice (constant or cosine decay)."""
    return container.radio(
        "Learning rate during training",
        list(training.SCHEDULES),
        key=key,
        horizontal=True,
        format_func=lambda s: {"cosine": "cosine decay", "constant": "constant"}[s],
        help="Constant: the same step size all along (as in most course notebooks). Cosine "
        "decay: lowered smoothly to 5% by the last step, for a steadier final accuracy.",
    )


def augmentation_to_state(aug: Augmentation, prefix: str) -> None:
    """Put augmentation settings into their widgets' state (before they are drawn)."""
    state = st.session_state
    state[f"{prefix}_flip"] = aug.flip
    state[f"{prefix}_rotation_deg"] = float(aug.rotation_deg)
    state[f"{prefix}_width_shift"] = float(aug.width_shift)
    state[f"{prefix}_height_shift"] = float(aug.height_shift)
    state[f"{prefix}_shear_deg"] = float(aug.shear_deg)
    state[f"{prefix}_zoom"] = float(aug.zoom)
    state[f"{prefix}_contrast"] = float(aug.contrast)
    state[f"{prefix}_fill_mode"] = aug.fill_mode


def defaults_to_state(cfg: TrainingConfig) -> None:
    """Put a config's values into the settings widgets (before they are drawn)."""
    state = st.session_state
    state["train_epochs"] = int(cfg.epochs)
    state["train_batch"] = int(cfg.batch_size)
    state["train_lr"] = float(cfg.learning_rate)
    state["train_optimizer"] = cfg.optimizer
    state["train_schedule"] = cfg.schedule
    state["train_val"] = float(cfg.validation_split)
    state["train_val_on_test"] = bool(cfg.validate_on_test)
    state["train_dropout_on"] = cfg.dropout is not None
    state["train_dropout"] = 0.3 if cfg.dropout is None else float(cfg.dropout)
    state["train_patience"] = int(cfg.early_stopping)
    state["train_seed"] = int(cfg.seed)
    state["train_l2"] = float(cfg.l2)
    state["train_first_layer"] = cfg.first_layer
    augmentation_to_state(cfg.augmentation, "train")
    if isinstance(cfg.architecture, str):
        state["train_arch"] = cfg.architecture


def apply_recommended(dataset_name: str) -> None:
    """Reset the settings to the tuned defaults when the dataset changes."""
    if st.session_state.get("train_defaults_for") != dataset_name:
        st.session_state["train_defaults_for"] = dataset_name
        defaults_to_state(training.recommended_config(dataset_name))


def hyperparameters_ui() -> dict:
    """Optimizer, learning rate and schedule, batch size, epochs, regularisation, seed.

    Also the validation share, dropout override, L2 weight decay and early stopping.

    Returns:
        Keyword arguments for :class:`TrainingConfig` (without architecture and augmentation).
    """
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input("Epochs", 1, 200, key="train_epochs")
    batch = c2.selectbox("Batch size", BATCH_SIZES, key="train_batch")
    lr = c3.select_slider(
        "Learning rate", LEARNING_RATES, key="train_lr", format_func=lambda v: f"{v:g}"
    )
    optimizer = optimizer_select(c4, "train_optimizer")
    state = st.session_state
    if state.get(SIMPLE_KEY):
        # A class link hid the rest: their values come from the link (or the defaults).
        st.caption("The other settings are chosen by your class link.")
        st.button(
            "Show all settings",
            key="train_show_all",
            icon=":material/tune:",
            on_click=lambda: state.update({SIMPLE_KEY: False}),
        )
        return {
            "epochs": int(epochs),
            "batch_size": int(batch),
            "learning_rate": float(lr),
            "optimizer": optimizer,
            "validation_split": float(state.get("train_val", 0.1)),
            "validate_on_test": bool(state.get("train_val_on_test", False)),
            "dropout": float(state.get("train_dropout", 0.3))
            if state.get("train_dropout_on")
            else None,
            "early_stopping": int(state.get("train_patience", 0)),
            "schedule": state.get("train_schedule", "cosine"),
            "seed": int(state.get("train_seed", 0)),
        }
    c1, c2, c3, c4 = st.columns(4)
    schedule = schedule_radio(c1, "train_schedule")
    l2 = c2.select_slider(
        "L2 weight decay",
        WEIGHT_DECAYS,
        key="train_l2",
        format_func=lambda v: "off" if v == 0 else f"{v:g}",
        help="Adds λ·Σw² of every convolution and hidden dense layer to the loss "
        "(kernel_regularizer=l2(λ)), which keeps weights small. Layers with their own L1 / L2 "
        "in the layer table keep theirs.",
    )
    on_test = bool(state.get("train_val_on_test", False))
    val = c3.slider(
        "Validation share",
        0.0,
        0.5,
        step=0.05,
        key="train_val",
        disabled=on_test,
        help="Part of the training images held out to watch for overfitting (ignored when "
        "the dataset has its own validation folder).",
    )
    on_test = c3.checkbox(
        "Use the test set as validation data",
        key="train_val_on_test",
        help="As the courses' fit(..., validation_data=test): every training image trains "
        "and the validation curves are measured on the test images.",
    )
    patience = c4.number_input(
        "Early stopping patience",
        0,
        50,
        key="train_patience",
        help="0 = off. Stop when the validation loss has not improved for this many epochs, "
        "and keep the best weights.",
    )
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        dropout_on = st.toggle("Override dropout", key="train_dropout_on")
        dropout = st.slider(
            "Dropout rate", 0.0, 0.8, step=0.05, key="train_dropout", disabled=not dropout_on
        )
    first_layer = c2.selectbox(
        "First layer starts as",
        list(training.FIRST_LAYERS),
        key="train_first_layer",
        format_func=lambda f: {
            "random": "random weights",
            "gabor": "Gabor bank (trainable)",
            "gabor_frozen": "Gabor bank (frozen)",
        }[f],
        help="Start the first convolution as the lecture's Gabor filter bank, learning on "
        "from there or kept fixed; compare the run with a random start in Compare runs.",
    )
    seed = c3.number_input("Seed", 0, 2**31 - 1, key="train_seed")
    if on_test:
        st.warning(
            "Validation curves are measured on the test set, as the courses do. Whatever you "
            "choose by watching them (epochs, settings, early stopping) is then tuned on the "
            "test set, so the test score is no longer an unbiased estimate of how the network "
            "does on new images.",
            icon=":material/warning:",
        )
    return {
        "epochs": int(epochs),
        "batch_size": int(batch),
        "learning_rate": float(lr),
        "optimizer": optimizer,
        "validation_split": float(val),
        "validate_on_test": bool(on_test),
        "dropout": float(dropout) if dropout_on else None,
        "early_stopping": int(patience),
        "schedule": schedule,
        "seed": int(seed),
        "l2": float(l2),
        "first_layer": first_layer,
    }


def _augmentation_from_state(prefix: str) -> Augmentation:
    """The augmentation the page's widgets hold (also when they are not drawn)."""
    state = st.session_state
    return Augmentation(
        flip=state.get(f"{prefix}_flip", "none"),
        rotation_deg=float(state.get(f"{prefix}_rotation_deg", 0.0)),
        width_shift=float(state.get(f"{prefix}_width_shift", 0.0)),
        height_shift=float(state.get(f"{prefix}_height_shift", 0.0)),
        shear_deg=float(state.get(f"{prefix}_shear_deg", 0.0)),
        zoom=float(state.get(f"{prefix}_zoom", 0.0)),
        contrast=float(state.get(f"{prefix}_contrast", 0.0)),
        fill_mode=state.get(f"{prefix}_fill_mode", "nearest"),
    )


def _aug_defaults(prefix: str) -> None:
    """First values of a page's augmentation widgets (none switched on)."""
    if f"{prefix}_fill_mode" not in st.session_state:
        augmentation_to_state(Augmentation(), prefix)


def augmentation_ui(ds: datasets.Dataset, prefix: str = "train") -> Augmentation:
    """Augmentation settings in ImageDataGenerator's units, with the courses' preset.

    The preview shows one training image the student picks, with 8 augmented copies.

    Args:
        ds: the dataset (its training images are previewed).
        prefix: start of the widgets' session-state keys (one per page that shows it).

    Returns:
        The settings (validated by the caller through ``TrainingConfig.validate``).
    """
    _aug_defaults(prefix)
    if st.session_state.get(SIMPLE_KEY):  # a class link hides the advanced controls
        return _augmentation_from_state(prefix)
    with st.expander("Data augmentation (training images only)"):
        b1, b2, _ = st.columns([2, 1, 2])
        b1.button(
            "Courses' settings",
            key=f"{prefix}_aug_courses",
            icon=":material/school:",
            on_click=augmentation_to_state,
            args=(Augmentation.courses(), prefix),
            help="ImageDataGenerator(rotation_range=40, width_shift_range=0.2, "
            "height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True, "
            "fill_mode='nearest')",
        )
        b2.button(
            "All off",
            key=f"{prefix}_aug_off",
            icon=":material/block:",
            on_click=augmentation_to_state,
            args=(Augmentation(), prefix),
        )
        c1, c2, c3, c4 = st.columns(4)
        rotation = c1.slider("Rotation (°)", 0.0, 180.0, step=5.0, key=f"{prefix}_rotation_deg")
        width = c2.slider("Width shift", 0.0, 0.5, step=0.05, key=f"{prefix}_width_shift")
        height = c3.slider("Height shift", 0.0, 0.5, step=0.05, key=f"{prefix}_height_shift")
        shear = c4.slider(
            "Shear (°)",
            0.0,
            45.0,
            step=0.2,
            key=f"{prefix}_shear_deg",
            help="In degrees, as ImageDataGenerator's shear_range: the courses' 0.2 is 0.2°, "
            "almost nothing; try 10–20° to see it. Made with Keras' RandomShear (factor "
            "sin θ), which slants the image from its top row.",
        )
        c1, c2, c3, c4 = st.columns(4)
        zoom = c1.slider(
            "Zoom", 0.0, 0.5, step=0.05, key=f"{prefix}_zoom", help="0.2 scales by 0.8 to 1.2."
        )
        flip = c2.selectbox(
            "Flip",
            list(training.FLIP_MODES),
            key=f"{prefix}_flip",
            format_func=lambda f: f.replace("_and_", " + "),
        )
        fill = c3.selectbox(
            "Fill mode",
            list(training.FILL_MODES),
            key=f"{prefix}_fill_mode",
            help="How the pixels moved in from outside the image are filled: nearest repeats "
            "the edge, reflect mirrors, constant is black, wrap brings in the other side.",
        )
        contrast = c4.slider("Contrast", 0.0, 0.5, step=0.05, key=f"{prefix}_contrast")
        aug = Augmentation(
            flip=flip,
            rotation_deg=rotation,
            width_shift=width,
            height_shift=height,
            shear_deg=shear,
            zoom=zoom,
            contrast=contrast,
            fill_mode=fill,
        )
        if not aug.active:
            st.caption("Random turns, shifts, shears, zooms, flips and contrast changes make the "
                       "network see a slightly different image every epoch: more robust, "
                       "less overfitting, slower to learn.")  # fmt: skip
        elif len(ds.x_train):
            _augmentation_preview(ds, aug, prefix)
    return aug


def _augmentation_preview(ds: datasets.Dataset, aug: Augmentation, prefix: str) -> None:
    last = min(len(ds.x_train), 500) - 1
    key = f"{prefix}_aug_image"
    if int(st.session_state.get(key, 0)) > last:
        st.session_state[key] = 0
    index = st.number_input(
        f"Training image to preview (0–{last})", 0, last, key=widget_default(key, 0)
    )
    image = ds.x_train[int(index)]
    try:
        copies = aug.apply(np.repeat(image[None], 8, axis=0), seed=int(index))
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    label = ds.class_names[int(ds.y_train[int(index)])]
    left, right = st.columns([1, 4], vertical_alignment="center")
    left.image(enlarge(image[None], 96)[0], caption=f"original ({plain(label)})", width=96)
    right.image(list(enlarge(copies, 96)), width=96)
    st.caption("Right: 8 ways training might see this image instead (new ones every epoch).")


def config_from_state(architecture, hyper: dict, aug: Augmentation) -> TrainingConfig | None:
    """Assemble and check the config; shows the problem and returns None when invalid."""
    try:
        cfg = TrainingConfig(architecture=architecture, augmentation=aug, **hyper)
        cfg.validate()
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
    return cfg
