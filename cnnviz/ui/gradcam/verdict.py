"""Can you trust this heatmap? One verdict from the pointing game and the sanity check."""

from __future__ import annotations

import streamlit as st

from cnnviz import attribution
from cnnviz.ui.gradcam.trust import pointing_shares

BADGES = {
    "trust": ":green-badge[:material/verified: Trust]",
    "care": ":orange-badge[:material/help: With care]",
    "distrust": ":red-badge[:material/block: Do not trust]",
}
"""The coloured badge in front of each tone's headline."""


def verdict_text(label: str, scores: dict[str, float] | None, rho: float | None) -> str:
    """The verdict in Markdown: a badge and the headline, then each check's question and result.

    Args:
        label: the method's name.
        scores: the method's pointing-game scores on the test set, or ``None``.
        rho: the sanity check's last rank correlation (as shown, 2 decimals), or ``None``.
    """
    pointing = randomisation = None
    lines = []
    if scores is not None:
        p, c, s = pointing_shares(scores)
        pointing = attribution.pointing_result(p, c, s)
        lines.append(
            f"- **Pointing game**: {attribution.POINTING_QUESTION} On the test set it hits "
            f"{p:.0%}, against {max(c, s):.0%} for the better guess: {pointing}."
        )
    else:
        lines.append(
            f"- **Pointing game**: {attribution.POINTING_QUESTION} Not measured: this "
            "model's test set has no object boxes."
        )
    if rho is not None:
        randomisation = attribution.randomisation_result(rho)
        lines.append(
            f"- **Randomisation**: {attribution.RANDOMISATION_QUESTION} On this image, the "
            f"trained and the randomised model's maps have ρ = {rho:.2f}: {randomisation}."
        )
    else:
        lines.append(
            f"- **Randomisation**: {attribution.RANDOMISATION_QUESTION} Not run yet: press "
            "the sanity check's button above."
        )
    verdict = attribution.trust_verdict(pointing, randomisation)
    head = f"{BADGES[verdict.tone]} **{label}: {verdict.headline}**"
    return head + "\n\n" + "\n".join(lines)


def verdict_section(method: str, scores: dict[str, float] | None, rho: float | None) -> None:
    """Both checks read together, coloured by the verdict; nothing when neither has a result."""
    if scores is None and rho is None:
        return
    st.subheader("Can you trust this heatmap? Both checks together")
    with st.container(border=True):
        st.markdown(verdict_text(attribution.METHODS[method].label, scores, rho))
