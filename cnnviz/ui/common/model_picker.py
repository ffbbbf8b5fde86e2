"""The one model picker of the inspection pages: the workspace's stored models and pretrained ones.

Every page that opens up a network (Activations, Filter visualization, Grad-CAM...) calls
:func:`model_picker`; the choice is kept in ``st.session_state`` under :data:`CHOICE_KEY`, so
a model picked on one page is already picked on the next.

Choices are strings: ``"stored:<id>"`` for a model in the :class:`~cnnviz.store.ModelStore`
(this workspace's own models and shared ones) and ``"pretrained:<name>"`` for the
ImageNet catalogue (the bundled EfficientNet-Lite0 first; others need a one-time download).
The default works with nothing trained: the workspace's newest stored model if it has one,
otherwise the bundled pretrained model.

Loading is cached: pretrained models through :mod:`cnnviz.ui.common.pretrained_models` (one
copy per server), stored models through the store's own in-memory cache. The models returned are
shared: never change them (build a sub-model instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.store import ModelStore
from cnnviz.ui.common import pretrained_models
from cnnviz.ui.common.busy import LOADING_MODEL, busy_sign
from cnnviz.ui.common.session import session_id
from cnnviz.ui.common.text import plain

CHOICE_KEY = "cnnviz_model_choice"
"""Session-state key of the model chosen on any inspection page (a choice string)."""

NO_MODEL_HINT = "Train a model on the Train page, or pick a pretrained one."

_STORED, _PRETRAINED = "stored:", "pretrained:"


@dataclass(frozen=True)
class ModelOption:
    """One entry of the picker.

    Attributes:
        choice: ``"stored:<id>"`` or ``"pretrained:<name>"``.
        label: what the student reads in the list.
        needs_download: True for a pretrained model whose weights are not on this server yet.
    """

    choice: str
    label: str
    needs_download: bool = False


def store() -> ModelStore:
    """The model store of this server (read at call time, so ``CNNVIZ_HOME`` may change)."""
    return ModelStore()


def _stored_label(meta: dict, owner: str) -> str:
    parts = [str(meta.get("name") or meta.get("id"))]
    dataset = meta.get("dataset") or {}
    if isinstance(dataset, dict) and dataset.get("name") and dataset["name"] not in parts[0]:
        parts.append(f"on {dataset['name']}")
    accuracy = (meta.get("test_metrics") or {}).get("accuracy")
    if isinstance(accuracy, (int, float)):
        parts.append(f"· {100 * accuracy:.0f}% test accuracy")
    prefix = "Your model: " if meta.get("owner") == owner else "Shared model: "
    return prefix + " ".join(parts)


def model_options(owner: str) -> list[ModelOption]:
    """Everything ``owner`` may pick: own stored models (newest first), shared ones, pretrained.

    Args:
        owner: the workspace key (:func:`cnnviz.ui.common.session.session_id`).

    Returns:
        Options in display order; pretrained models after the stored ones, bundled first.
    """
    # Autoencoders have their own page: the classification pages cannot explain them.
    metas = [m for m in store().list(owner) if m.get("kind") != "autoencoder"]
    own = [m for m in metas if m.get("owner") == owner]
    shared = [m for m in metas if m.get("owner") != owner]
    options = [ModelOption(_STORED + str(m["id"]), _stored_label(m, owner)) for m in own + shared]
    entries = sorted(pretrained.available(), key=lambda e: not e.bundled)
    for entry in entries:
        options.append(
            ModelOption(
                _PRETRAINED + entry.name,
                "ImageNet: " + pretrained_models.model_label(entry.name),
                needs_download=not pretrained.is_cached(entry.name),
            )
        )
    return options


def default_choice(options: list[ModelOption], owner: str) -> str | None:
    """The workspace's newest own model, else the bundled pretrained model, else the first."""
    if not options:
        return None
    metas = {m["id"]: m for m in store().list(owner)}
    for option in options:
        if option.choice.startswith(_STORED):
            meta = metas.get(option.choice[len(_STORED) :])
            if meta and meta.get("owner") == owner:
                return option.choice
    bundled = _PRETRAINED + pretrained.BUNDLED
    if any(o.choice == bundled for o in options):
        return bundled
    return options[0].choice


def load_choice(choice: str, owner: str) -> ImageModel:
    """Load the model behind a choice string (cached; never mutate the result).

    Raises:
        InputError: unknown or deleted model, or pretrained weights that cannot be fetched.
    """
    if choice.startswith(_STORED):
        with busy_sign(LOADING_MODEL):
            return store().load(choice[len(_STORED) :], owner)
    if choice.startswith(_PRETRAINED):  # a download box or "Building …" sign of its own
        return pretrained_models.load_model(choice[len(_PRETRAINED) :])
    raise InputError(f"Unknown model choice {choice!r}.")


def stored_model_path(model: ImageModel) -> str | None:
    """The ``.keras`` file of a stored model (what its code loads), or None for others."""
    from cnnviz.store.files import MODEL_FILE

    model_id = model.info.get("id") if isinstance(model.info, dict) else None
    if not model_id:
        return None
    return str(store().root.resolve() / str(model_id) / MODEL_FILE)


def model_key(model: ImageModel) -> str:
    """A stable string naming a model, for cache keys of results computed from it.

    Stored models: their store folder; pretrained models: their catalogue name; anything
    else: the identity of its Keras model (valid while that object lives).
    """
    spec = getattr(model, "spec", None)
    if spec is not None and getattr(spec, "name", None):
        return _PRETRAINED + spec.name
    model_id = model.info.get("id") if isinstance(model.info, dict) else None
    if model_id:
        return f"{_STORED}{store().root.resolve()}/{model_id}"
    return f"object:{id(model.model)}"


def _remember(widget_key: str) -> None:
    st.session_state[CHOICE_KEY] = st.session_state[widget_key]


def model_picker(
    key: str = "inspect_model",
    *,
    location: Literal["main", "sidebar"] = "main",
    label: str = "Model",
) -> ImageModel | None:
    """Let the student pick a model; return it loaded, or ``None`` with a hint on screen.

    The choice is shared by every page through ``st.session_state[CHOICE_KEY]``; it is set
    only when the student changes the list, so a student who never chose anything gets the
    newest model they trained.

    Args:
        key: widget-key prefix (one picker per page is the rule).
        location: draw in the page body or in the sidebar.
        label: the list's label.

    Returns:
        The loaded :class:`~cnnviz.models.ImageModel`, or ``None`` when nothing can be
        loaded (an error or hint is shown).
    """
    owner = session_id()
    container = st.sidebar if location == "sidebar" else st.container()
    with container:
        try:
            options = model_options(owner)
        except OSError as exc:  # an unreadable store folder must not break the page
            st.error(f"The model store cannot be read ({exc}).", icon=":material/block:")
            options = []
        if not options:
            st.info(NO_MODEL_HINT, icon=":material/lightbulb:")
            return None
        by_choice = {o.choice: o for o in options}
        widget_key = f"{key}_choice"
        wanted = st.session_state.get(CHOICE_KEY)
        if wanted not in by_choice:
            wanted = default_choice(options, owner)
        if st.session_state.get(widget_key) not in by_choice:
            st.session_state[widget_key] = wanted
        elif CHOICE_KEY in st.session_state and st.session_state[widget_key] != wanted:
            st.session_state[widget_key] = wanted  # another page changed the shared choice
        choice = st.selectbox(
            label,
            list(by_choice),
            format_func=lambda c: by_choice[c].label,
            key=widget_key,
            on_change=_remember,
            args=(widget_key,),
            help="Your trained models, models shared with everyone, and ImageNet models. "
            + NO_MODEL_HINT,
        )
        option = by_choice[choice]
        if option.needs_download:
            st.info(
                f"{plain(option.label.removeprefix('ImageNet: '))}: its weights are not on this "
                "server yet. Downloading needs an internet connection.",
                icon=":material/download:",
            )
            if not st.button("Download and load", key=f"{key}_download"):
                return None
        try:
            model = load_choice(choice, owner)
        except InputError as err:
            st.error(plain(err), icon=":material/block:")
            st.caption(NO_MODEL_HINT)
            return None
        st.caption(describe(model))
        return model


def describe(model: ImageModel) -> str:
    """One line about a model for students: input, classes, size, and where it comes from."""
    h, w = model.input_size
    channels = model.preprocessing.channels
    colour = "colour" if channels == 3 else "grayscale"
    try:
        params = f"{int(model.model.count_params()):,} parameters"
    except (AttributeError, ValueError):
        params = "parameters unknown"
    parts = [f"{h}×{w} {colour} input", f"{len(model.class_names)} classes", params]
    info = model.info if isinstance(model.info, dict) else {}
    dataset = info.get("dataset")
    if isinstance(dataset, dict) and dataset.get("name"):
        parts.append(f"trained on {plain(dataset['name'])}")
    elif isinstance(dataset, str):
        parts.append(f"trained on {plain(dataset)}")
    return " · ".join(parts)
