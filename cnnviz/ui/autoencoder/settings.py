"""The network, noise level, loss, epochs and batch size, with the course's run as default."""

from __future__ import annotations

import streamlit as st

from cnnviz import autoencoder, datasets
from cnnviz.errors import InputError
from cnnviz.training import TrainingConfig
from cnnviz.ui.autoencoder.network import param_count
from cnnviz.ui.autoencoder.state import key_of
from cnnviz.ui.common.text import plain

BATCH_SIZES = [16, 32, 64, 128, 256]
COURSE = autoencoder.COURSE


def _apply_defaults(name: str) -> None:
    """The course's settings, set once when the dataset changes."""
    state = st.session_state
    if state.get(key_of("defaults_for")) == name and key_of("epochs") in state:
        return
    state[key_of("defaults_for")] = name
    cfg = autoencoder.recommended_config(name)
    state[key_of("epochs")] = int(cfg.epochs)
    state[key_of("batch")] = int(cfg.batch_size)
    state.setdefault(key_of("network"), cfg.autoencoder.network)
    state.setdefault(key_of("noise"), float(cfg.autoencoder.noise_level))
    state.setdefault(key_of("loss"), cfg.autoencoder.loss)


def _network_ui(ds: datasets.Dataset) -> str:
    """The course's network (default) or the lighter one, each with its parameter count."""
    shape = tuple(int(v) for v in ds.input_shape)
    try:
        counts = {n: param_count(shape, n) for n in autoencoder.NETWORKS}
    except InputError:
        counts = {}

    def label(network: str) -> str:
        n = f"{counts[network]:,} parameters" if network in counts else "parameters: –"
        if network == "course":
            return f"The course's network ({n})"
        return f"Lighter, faster on a CPU ({n}, not the course's)"

    network = st.radio(
        "Network",
        autoencoder.NETWORKS,
        format_func=label,
        key=key_of("network"),
        horizontal=True,
        help="The course's: leaky ReLU 0.1, one more Conv2D at 7 × 7, linear transposed "
        "convolutions, a sigmoid output. The lighter one: ReLU throughout, no extra Conv2D.",
    )
    if network != "course" and network in counts:
        st.caption(
            f"Lighter, faster on a CPU: {counts[network]:,} parameters, not the course's "
            f"({COURSE.params:,} on 28 × 28 × 1)."
        )
    return str(network)


def settings_ui(ds: datasets.Dataset) -> TrainingConfig | None:
    """Network, noise level, loss, epochs and batch size; returns a validated config or None."""
    _apply_defaults(ds.name)
    network = _network_ui(ds)
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    noise = c1.slider(
        "Noise level (training)",
        0.0,
        1.0,
        step=0.05,
        key=key_of("noise"),
        help="Standard deviation of the Gaussian noise added to pixels in 0..1, before "
        "clipping back to 0..1: x_noisy = clip(x + level · normal, 0, 1). The course uses "
        "0.5. Fresh noise is drawn for every batch.",
    )
    loss = c2.radio(
        "Reconstruction loss",
        autoencoder.LOSSES,
        format_func=autoencoder.LOSS_TITLES.get,
        key=key_of("loss"),
        help="Compared pixel by pixel with the clean image.",
    )
    epochs = c3.number_input("Epochs", 1, 100, key=key_of("epochs"))
    batch = c4.selectbox("Batch size", BATCH_SIZES, key=key_of("batch"))
    cfg = autoencoder.recommended_config(
        ds.name, noise_level=float(noise), loss=str(loss), network=network
    )
    cfg.epochs, cfg.batch_size = int(epochs), int(batch)
    try:
        cfg.validate()
        autoencoder.build_model(ds.input_shape)  # refuses sizes that do not pool twice
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return None
    st.caption(
        "Adam, learning rate 0.001; the clean images are the targets. Validation is on the "
        f"noisy test set ({len(ds.x_test):,} images, noised afresh at every epoch), as the "
        "course does, so every training image trains. Binary cross-entropy stays above 0 "
        "even for a perfect copy of grey pixels, so its curve levels off well above 0: "
        "compare reconstructions by their mean squared error below. The course's own run: "
        f"MNIST ({COURSE.train_images:,} training images), its {COURSE.params:,}-parameter "
        f"network, noise {COURSE.noise_level:g}, binary cross-entropy, Adam, batch "
        f"{COURSE.batch_size}, {COURSE.epochs} epochs; it printed a final loss of "
        f"{COURSE.loss:.4f} and a validation loss of {COURSE.val_loss:.4f}."
    )
    return cfg
