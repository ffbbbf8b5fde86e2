"""The Filter visualization page's controls: layer, filters, recipe, steps, size, seed."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cnnviz import config, featureviz, models
from cnnviz.errors import InputError
from cnnviz.featureviz import RECIPES
from cnnviz.models import ImageModel
from cnnviz.ui.common.text import plain

MAX_FILTERS = 32
SIZES = [32, 48, 64, 96, 128, 160, 224]
BOTH = "both"
"""The recipe choice that runs every recipe side by side."""


def recipe_options() -> dict[str, str]:
    """Radio choices: every registered recipe by its ``option`` line, then all of them."""
    options = {recipe.key: recipe.option for recipe in RECIPES}
    options[BOTH] = "Both, side by side on the same filters"
    return options


@dataclass(frozen=True)
class Settings:
    """What to optimise and how."""

    layer: str
    filters: tuple[int, ...]
    methods: tuple[str, ...]
    steps: int
    size: int
    seed: int
    big: bool


def conv_layers_or_stop(model: ImageModel) -> tuple[list[str], dict]:
    """The model's convolution layers and layer infos; an error and a stop when none."""
    try:
        convs = models.conv_layers(model)
        infos = {info.name: info for info in models.layer_infos(model)}
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
    return convs, infos


def layer_and_recipe(model: ImageModel, mkey: str, convs: list[str], infos: dict):
    """Layer, filter range and recipe widgets; returns ``(layer, first, last, choice)``."""

    def layer_label(name: str) -> str:
        info = infos[name]
        shape = " × ".join(str(d) for d in info.output_shape)
        return f"{name} · {info.class_name} · {shape}"

    layer = st.selectbox(
        "Layer",
        convs,
        index=convs.index(featureviz.default_layer(model)),
        format_func=layer_label,
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
    options = recipe_options()
    choice = st.radio("Recipe", list(options), format_func=options.get, key="fv_method")
    return layer, first, last, choice


def run_settings(model: ImageModel, big: bool) -> tuple[int, int, int]:
    """Steps, image size and seed widgets; returns ``(steps, size, seed)``."""
    input_side = int(model.input_size[0])
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
    return int(steps), int(size), int(seed)


def settings(layer: str, first: int, last: int, choice: str, run: tuple, big: bool) -> Settings:
    """The chosen settings, at most :data:`MAX_FILTERS` filters (with a warning)."""
    if last - first + 1 > MAX_FILTERS:
        st.warning(f"Showing filters {first}–{first + MAX_FILTERS - 1} (at most {MAX_FILTERS}).")
        last = first + MAX_FILTERS - 1
    methods = tuple(RECIPES.keys()) if choice == BOTH else (choice,)
    steps, size, seed = run
    return Settings(layer, tuple(range(first, last + 1)), methods, steps, size, seed, big)
