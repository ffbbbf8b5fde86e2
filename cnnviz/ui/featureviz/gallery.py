"""Generate filter pictures on request (with a progress bar) and show them."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from cnnviz import featureviz
from cnnviz.errors import InputError
from cnnviz.featureviz import RECIPES
from cnnviz.models import ImageModel
from cnnviz.ui.common.inspect import gallery_cache
from cnnviz.ui.common.pixels import enlarge
from cnnviz.ui.common.text import plain
from cnnviz.ui.featureviz.controls import Settings


def cache_keys(mkey: str, s: Settings) -> dict[str, tuple]:
    """The gallery cache key of each recipe shown."""
    return {m: (mkey, s.layer, s.filters, s.steps, s.size, s.seed, m) for m in s.methods}


def generate(model: ImageModel, mkey: str, s: Settings) -> bool:
    """A Generate button for what is not cached yet; True once every gallery is ready."""
    cache = gallery_cache()
    keys = cache_keys(mkey, s)
    missing = [m for m in s.methods if cache.get(keys[m]) is None]
    if not missing:
        return True
    note = (
        "This takes a while on a CPU for a big network: try fewer filters or steps first."
        if s.big
        else "Small models take a few seconds."
    )
    prompt = st.empty()
    with prompt.container():
        st.info(
            f"Press **Generate** to optimise {len(s.filters)} filter(s) of {plain(s.layer)}. {note}"
        )
        clicked = st.button("Generate", type="primary", key="fv_generate")
    if not clicked:
        return False
    prompt.empty()
    bar = st.progress(0.0, text="Starting…")
    for run, m in enumerate(missing):
        title = RECIPES.get(m).title

        def progress(done: int, total: int, run: int = run, title: str = title) -> None:
            """Move the bar: runs of several recipes share it."""
            frac = (run + done / max(total, 1)) / len(missing)
            bar.progress(min(frac, 1.0), text=f"{title}: step {done} of {total}")

        started = time.perf_counter()
        try:
            gallery = featureviz.visualize_filters(
                model, s.layer, list(s.filters), steps=s.steps, size=s.size, seed=s.seed,
                method=m, progress=progress,
            )  # fmt: skip
        except InputError as err:
            bar.empty()
            st.error(plain(err), icon=":material/block:")
            st.stop()
        cache.put(keys[m], gallery)
        st.session_state[f"fv_seconds_{keys[m]}"] = time.perf_counter() - started
    bar.empty()
    return True


def show(model: ImageModel, mkey: str, s: Settings) -> None:
    """Every recipe's gallery, side by side, with how long it took and its period."""
    cache = gallery_cache()
    keys = cache_keys(mkey, s)
    per_row = 8 if len(s.methods) == 1 else 4
    for col, m in zip(st.columns(len(s.methods)), s.methods, strict=True):
        with col:
            gallery = cache.get(keys[m])
            seconds = st.session_state.get(f"fv_seconds_{keys[m]}")
            st.markdown(
                f"**{RECIPES.get(m).title}** · {plain(s.layer)}, {s.steps} steps, {s.size} px"
            )
            if seconds is not None:
                st.caption(f"made in {seconds:.1f} s (cached: a revisit is instant)")
            period = featureviz.optimised_side(model, s.layer, s.size, m)
            if period < s.size:
                st.caption(
                    f"Each picture is one {period}-px tile, repeated: a filter of this layer "
                    f"sees about {period} px of its input (its effective receptive field), so "
                    "a larger picture would only show more copies of the same pattern."
                )
            for start in range(0, len(s.filters), per_row):
                cells = st.columns(per_row)
                for cell, index, image in zip(
                    cells, s.filters[start : start + per_row], gallery[start : start + per_row],
                    strict=False,
                ):  # fmt: skip
                    shown, _ = enlarge(np.asarray(image), 128)
                    cell.image(shown, caption=f"filter {index}", width="stretch")
