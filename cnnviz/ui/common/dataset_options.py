"""A dataset's option widgets, drawn from its :class:`~cnnviz.datasets.DatasetSpec`.

Every page that offers datasets (Train, Transfer learning, Denoising autoencoder) draws the
options here and keeps the same session keys, ``<page>_opt_<dataset>_<option key>``; the
settings a page keeps between visits come from :func:`kept_keys`, so a new dataset's
options are drawn and kept without touching any page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from cnnviz import datasets


def option_key(prefix: str, dataset: str, option: datasets.Option) -> str:
    """The session key of one option's widget on one page."""
    return f"{prefix}_opt_{dataset}_{option.key}"


def kept_keys(prefix: str, names: Iterable[str] | None = None) -> tuple[str, ...]:
    """Session keys of every option widget of the datasets ``names`` (default: all)."""
    specs = datasets.REGISTRY.available() if names is None else map(datasets.get, names)
    return tuple(option_key(prefix, s.key, o) for s in specs for o in s.options)


def preset_keys(prefix: str, dataset: str) -> dict[str, tuple[str, tuple | None]]:
    """Class-link name → (session key, values a link may hold, None for any in range).

    A link holds numbers, so a select's word choices (``"all"``) stay out.
    """
    spec = datasets.get(dataset)
    out = {}
    for o in spec.options:
        if o.preset is not None:
            allowed = tuple(c for c in o.choices if not isinstance(c, str)) or None
            out[o.preset] = (option_key(prefix, spec.key, o), allowed)
    return out


def _widget(o: datasets.Option, key: str, where) -> Any:
    if o.widget == "select":
        return where.select_slider(o.label, list(o.choices), key=key, help=o.help or None)
    if o.widget == "slider":
        return where.slider(o.label, o.low, o.high, step=o.step, key=key, help=o.help or None)
    return where.number_input(
        o.label, min_value=o.low, max_value=o.high, step=o.step, key=key, help=o.help or None
    )


def options_ui(
    spec: datasets.DatasetSpec,
    prefix: str,
    *,
    defaults: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
    where=None,
) -> dict:
    """Draw a dataset's option widgets; returns the options to load it with.

    Args:
        spec: the dataset.
        prefix: the page's key prefix (``"train"``).
        defaults: first values that differ from the spec's on this page, by option name.
        fixed: options this page sets itself (not drawn), by option name.
        where: a container to draw in (default: the page; several options get columns).
    """
    fixed = dict(fixed or {})
    shown = [o for o in spec.options if o.name not in fixed]
    if where is not None:
        places = [where] * len(shown)
    else:
        places = st.columns(len(shown)) if len(shown) > 1 else [st] * len(shown)
    values = {}
    for o, place in zip(shown, places, strict=True):
        key = option_key(prefix, spec.key, o)
        st.session_state.setdefault(key, (defaults or {}).get(o.name, o.default))
        values[o.name] = _widget(o, key, place)
    return {**spec.picked(values), **fixed}
