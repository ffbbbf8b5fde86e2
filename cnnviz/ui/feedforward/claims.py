"""What the page promises, measured: the default network learns XOR and the spiral.

A line does not. Computed once per server (about half a second) at the page's own defaults.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from cnnviz.feedforward import Playground, PlaygroundConfig

CLAIM_EPOCHS = 60


@st.cache_data(show_spinner=False)
def default_claims(epochs: int = CLAIM_EPOCHS) -> dict[str, float]:
    """Test accuracy after ``epochs`` of the default run (seed 0).

    Returns:
        ``xor``, ``spiral`` and ``line_spiral`` (no hidden layer, x and y only, on the
        spiral): test accuracies in [0, 1].
    """
    base = PlaygroundConfig()
    out = {}
    for name, config in (
        ("xor", dataclasses.replace(base, dataset="xor")),
        ("spiral", dataclasses.replace(base, dataset="spiral")),
        ("line_spiral", dataclasses.replace(base, dataset="spiral").linear()),
    ):
        run = Playground(config)
        run.train(epochs)
        out[name] = run.accuracy("test")
    return out


def claims_text() -> str:
    """The sentence the page says about its defaults, with the measured accuracies."""
    c = default_claims()
    return (
        f"With the default settings (seed 0, {CLAIM_EPOCHS} epochs) this network reaches "
        f"**{c['xor']:.1%}** test accuracy on XOR and **{c['spiral']:.1%}** on the spiral. "
        f"A line (no hidden layer, x and y only) reaches only **{c['line_spiral']:.1%}** on "
        "the spiral, where tossing a coin would get 50%: one straight cut cannot follow two "
        "arms that wind around each other."
    )
