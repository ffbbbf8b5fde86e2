"""The Neurons playground's settings: its widgets, and the address that carries them.

As in TensorFlow Playground, the whole state of a run is in the address (``?set=spiral&
hidden=8,8&...``): a teacher copies it and every student opens the same setup. An address
that was opened or edited by hand wins over the widgets; after each run the widgets'
settings are written back to it. A bad address shows what is wrong and the defaults.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from cnnviz.errors import InputError
from cnnviz.feedforward import ACTIVATIONS, FEATURES, POINT_SETS, PlaygroundConfig
from cnnviz.feedforward.playground import (
    BATCH_SIZES,
    L2_RATES,
    LEARNING_RATES,
    MAX_LAYERS,
    MAX_NEURONS,
)
from cnnviz.ui.common.text import plain

PARAMS = tuple(PlaygroundConfig().to_params())
"""The address's keys that belong to the playground."""
WRITTEN = "ff_written"  # the parameters this page last wrote into the address
KEPT = "ff_config"  # the last settings, for a return to the page (widget state is dropped)


def _widget_values(config: PlaygroundConfig) -> dict[str, object]:
    values: dict[str, object] = {
        "ff_set": config.dataset,
        "ff_noise": config.noise,
        "ff_train": config.train_percent,
        "ff_layers": len(config.hidden),
        "ff_activation": config.activation,
        "ff_lr": config.learning_rate,
        "ff_l2": config.l2,
        "ff_batch": config.batch_size,
        "ff_seed": config.seed,
    }
    for feature in FEATURES:
        values[f"ff_feature_{feature.key}"] = feature.key in config.features
    for i in range(MAX_LAYERS):
        values[f"ff_neurons_{i}"] = config.hidden[i] if i < len(config.hidden) else 4
    return values


def apply(config: PlaygroundConfig) -> None:
    """Set every widget to ``config`` (before the widgets are drawn)."""
    st.session_state.update(_widget_values(config))
    st.session_state[KEPT] = config


def _from_address() -> None:
    """Load the address's settings when it was opened or edited; keep the widgets otherwise."""
    params = {k: st.query_params[k] for k in PARAMS if k in st.query_params}
    if params and params != st.session_state.get(WRITTEN):
        try:
            apply(PlaygroundConfig.from_params(params))
        except InputError as err:
            st.error(
                f"This link's settings cannot be used: {plain(err)} The playground shows "
                "its default settings instead.",
                icon=":material/link_off:",
            )
            apply(PlaygroundConfig())
    else:
        # A return to the page (Streamlit drops the state of widgets not drawn) or a layer
        # added: fill only what is missing, from the last settings.
        kept = _widget_values(st.session_state.get(KEPT, PlaygroundConfig()))
        for key, value in kept.items():
            st.session_state.setdefault(key, value)


def data_widgets() -> None:
    """Point set, noise, training share, seed and the input features."""
    st.radio("Points", POINT_SETS.keys(), key="ff_set", horizontal=True,
             format_func=lambda k: POINT_SETS.get(k).title,
             help="Which two classes of points the network must tell apart.")  # fmt: skip
    c = st.columns([1, 1, 0.8])
    c[0].slider("Noise", 0, 50, key="ff_noise", step=5,
                help="How far the points stray from their pattern.")  # fmt: skip
    c[1].slider("Training points (%)", 10, 90, key="ff_train", step=10,
                help="The rest are test points: the network never trains on them.")  # fmt: skip
    c[2].number_input("Seed", 0, 2**31 - 1, key="ff_seed",
                      help="Draws the points and the first weights: the same seed, the same "
                      "run.")  # fmt: skip
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown("**Features**", help="The network's inputs, computed from each point.")
    for feature in FEATURES:
        row.checkbox(feature.title, key=f"ff_feature_{feature.key}")


def _menu(choices: tuple, key: str) -> list:
    """The menu's choices, with the value a link set when it is not one of them."""
    value = st.session_state.get(key)
    return sorted({*choices, value}) if value is not None else list(choices)


def network_widgets() -> None:
    """Hidden layers and their neurons, activation, learning rate, L2 and batch size."""
    c = st.columns(5)
    c[0].number_input("Hidden layers", 0, MAX_LAYERS, key="ff_layers",
                      help="0 is a linear model: one straight line.")  # fmt: skip
    c[1].selectbox("Activation", list(ACTIVATIONS), key="ff_activation",
                   help="Of every hidden neuron; the output is always a sigmoid.")  # fmt: skip
    c[2].selectbox("Learning rate", _menu(LEARNING_RATES, "ff_lr"), key="ff_lr",
                   help="Adam's step size.")  # fmt: skip
    c[3].selectbox("L2", _menu(L2_RATES, "ff_l2"), key="ff_l2",
                   help="Adds this times the sum of the squared weights to the loss: "
                   "smaller weights, smoother boundaries.")  # fmt: skip
    c[4].selectbox("Batch size", _menu(BATCH_SIZES, "ff_batch"), key="ff_batch",
                   help="Points per weight update.")  # fmt: skip
    layers = int(st.session_state["ff_layers"])
    if layers:
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.markdown("**Neurons**")
        for i in range(layers):
            row.selectbox(f"Layer {i + 1}", list(range(1, MAX_NEURONS + 1)),
                          key=f"ff_neurons_{i}", width=90)  # fmt: skip


def settings() -> PlaygroundConfig | None:
    """The settings the widgets hold, written into the address.

    Returns:
        The settings, or None (with a warning shown) when they make no network (no feature).
    """
    s = st.session_state
    features = tuple(f.key for f in FEATURES if s.get(f"ff_feature_{f.key}"))
    hidden = tuple(int(s[f"ff_neurons_{i}"]) for i in range(int(s["ff_layers"])))
    try:
        config = PlaygroundConfig(
            dataset=s["ff_set"], noise=int(s["ff_noise"]), train_percent=int(s["ff_train"]),
            features=features, hidden=hidden, activation=s["ff_activation"],
            learning_rate=float(s["ff_lr"]), l2=float(s["ff_l2"]),
            batch_size=int(s["ff_batch"]), seed=int(s["ff_seed"]),
        )  # fmt: skip
    except InputError as err:
        st.warning(plain(err), icon=":material/warning:")
        return None
    s[KEPT] = config
    params = config.to_params()
    if params != {k: st.query_params.get(k) for k in PARAMS}:
        st.query_params.update(params)
    s[WRITTEN] = params
    return config


def prepare() -> None:
    """Call first: fill the widgets from the address or from the last visit."""
    _from_address()


def linear_instead(config: PlaygroundConfig) -> None:
    """Button callback: the same run with a line instead of a net."""
    apply(config.linear())


def defaults() -> None:
    """Button callback: every setting back to its default."""
    apply(PlaygroundConfig())


__all__ = [
    "apply",
    "data_widgets",
    "defaults",
    "linear_instead",
    "network_widgets",
    "prepare",
    "settings",
]


def class_link(config: PlaygroundConfig) -> str:
    """The address that opens these settings (this page's address with the query)."""
    try:
        base = (st.context.url or "").split("?")[0]
    except (AttributeError, RuntimeError):  # no browser request (a script or a test)
        base = ""
    return f"{base}?{urlencode(config.to_params(), safe=',')}"
