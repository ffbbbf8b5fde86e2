"""Class presets on the Train page: open with a teacher's settings, copy such a link.

The link's query string holds settings only (see :mod:`cnnviz.presets`), never the
workspace key, so students who open it start from the teacher's settings in their own
workspaces.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from cnnviz import datasets, presets, training
from cnnviz.errors import InputError
from cnnviz.ui.common import dataset_options
from cnnviz.ui.train.settings import defaults_to_state
from cnnviz.ui.train.state import SIMPLE_KEY, ZIP_CHOICE

_PLAIN_KEYS = {
    "arch": "train_arch",
    "epochs": "train_epochs",
    "batch": "train_batch",
    "lr": "train_lr",
    "optimizer": "train_optimizer",
    "schedule": "train_schedule",
    "val": "train_val",
    "patience": "train_patience",
    "seed": "train_seed",
    "flip": "train_flip",
    "rotation": "train_rotation_deg",
    "width_shift": "train_width_shift",
    "height_shift": "train_height_shift",
    "shear": "train_shear_deg",
    "fill": "train_fill_mode",
    "zoom": "train_zoom",
    "contrast": "train_contrast",
}


def _option_keys(dataset: str) -> dict[str, tuple[str, tuple | None]]:
    """Preset name -> (session key, allowed values) of this dataset's own widgets (its spec)."""
    if dataset not in datasets.REGISTRY:
        return {}
    return dataset_options.preset_keys("train", dataset)


def _dataset_preset_names() -> set[str]:
    """Every preset name some dataset's options use (``size``, ``images``, ``noise``...)."""
    return {name for spec in datasets.REGISTRY for name in _option_keys(spec.key)}


def preset_to_state(settings: dict) -> list[str]:
    """Put a preset's settings into the Train page's widgets (before they are drawn).

    Settings the preset does not name take the dataset's tuned defaults.

    Returns:
        What could not be applied, one short text each.
    """
    state = st.session_state
    problems = []
    dataset = settings.get("dataset") or state.get("train_dataset") or "shapes"
    if dataset == ZIP_CHOICE:
        dataset = "shapes"
    state["train_dataset"] = dataset
    defaults_to_state(training.recommended_config(dataset))
    state["train_defaults_for"] = dataset  # keep these, not the tuned defaults
    options = _option_keys(dataset)
    for name, value in settings.items():
        if name in _PLAIN_KEYS:
            state[_PLAIN_KEYS[name]] = value
        elif name in options:
            key, allowed = options[name]
            if allowed is not None and value not in allowed:
                problems.append(f"{name}={value} is not offered for {dataset}")
                continue
            state[key] = value
        elif name == "dropout":
            state["train_dropout_on"] = True
            state["train_dropout"] = float(value)
        elif name in _dataset_preset_names():
            problems.append(f"{name} does not apply to {dataset}")
    state[SIMPLE_KEY] = bool(settings.get("simple", False))
    return problems


def apply_class_preset() -> None:
    """Apply the settings in the page URL once per browser session (call before widgets)."""
    settings, problems = presets.from_params(st.query_params.to_dict())
    if not settings:
        return
    signature = json.dumps(settings, sort_keys=True)
    if st.session_state.get("train_preset_applied") == signature:
        return
    st.session_state["train_preset_applied"] = signature
    problems += preset_to_state(settings)
    if problems:
        st.warning(
            "Some settings in this link could not be used: " + "; ".join(problems) + ".",
            icon=":material/link_off:",
        )


def preset_from_state(simple: bool) -> dict:
    """The current Train settings as a preset (see :mod:`cnnviz.presets`).

    Raises:
        InputError: when the settings cannot go in a link (an uploaded dataset).
    """
    state = st.session_state
    dataset = state.get("train_dataset", "shapes")
    if dataset == ZIP_CHOICE:
        raise InputError(
            "A class link can only use the built-in datasets: uploads stay in your workspace."
        )
    settings: dict = {"dataset": dataset}
    for name, (key, allowed) in _option_keys(dataset).items():
        value = state.get(key)
        if value is not None and (allowed is None or value in allowed):
            settings[name] = value
    for name, key in _PLAIN_KEYS.items():
        if state.get(key) is not None:
            settings[name] = state[key]
    if state.get("train_dropout_on"):
        settings["dropout"] = float(state.get("train_dropout", 0.3))
    settings["simple"] = bool(simple)
    return settings


def class_link_ui() -> None:
    """An expander that builds a link opening this page with the current settings."""
    with st.expander("Copy a class link", icon=":material/share:"):
        st.caption(
            "Students who open this link start from exactly these settings, each in their "
            "own workspace. The link holds settings only, never your models."
        )
        simple = st.toggle("Hide the advanced controls", value=True, key="train_link_simple")
        try:
            params = presets.to_params(preset_from_state(simple))
        except InputError as err:
            st.info(str(err), icon=":material/info:")
            return
        base = (st.context.url or "").split("?", 1)[0]
        st.code(f"{base}?{urlencode(params)}", language=None, wrap_lines=True)


def simple_mode() -> bool:
    """True when a class link asked for the advanced controls to be hidden."""
    return bool(st.session_state.get(SIMPLE_KEY))


def show_all_settings() -> None:
    """Button callback: show the advanced controls again."""
    st.session_state[SIMPLE_KEY] = False
