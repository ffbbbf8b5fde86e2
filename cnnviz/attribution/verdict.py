"""Can a heatmap be trusted? Two checks, their thresholds, and one verdict from both.

* **Pointing game** (:mod:`cnnviz.attribution.metrics`): does the heatmap land on the
  object? Its share of hits is compared with the better of two guesses: a map that always
  peaks at the centre, and the same maps scored against other images' boxes.
* **Model randomisation** (:mod:`cnnviz.attribution.sanity`, Adebayo et al. 2018): does the
  heatmap depend on what the model learned? ρ is the Spearman rank correlation between the
  map of the trained model and the map once its weights are random. A LOW ρ means the map
  changed with the weights: it depends on them, as an explanation of the model must
  (passes). A HIGH ρ means it stayed the same: it shows the image (its edges, say), not
  what the model learned (fails).

Each check reads :data:`PASSES`, :data:`PARTLY` or :data:`FAILS`; :func:`trust_verdict`
combines the two (either may be missing) into one verdict. Everything here is pure: no
model, no Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PASSES, PARTLY, FAILS = "passes", "partly", "fails"
"""What each check reads."""

RHO_DEPENDS = 0.3
"""ρ below this: the map depends on the weights (randomisation passes). By the usual
convention a correlation under 0.3 is weak: the two maps share under 10% (ρ²) of their
rank variance."""

RHO_IGNORES = 0.7
"""ρ above this: the map ignores the weights (randomisation fails). A correlation over 0.7
is strong: the two maps share about half their rank variance or more."""

POINTING_CLEAR = 0.20
"""Lead of the pointing game over the better guess (share of images) needed to pass."""

POINTING_SOME = 0.10
"""Lead below which the pointing game fails: not clearly better than a guess. On 300 test
images the standard error of a difference of two shares is at most about 0.04, so a lead
under 10 points may be chance."""

POINTING_QUESTION = "does the heatmap land on the shape, compared with a centre guess?"
RANDOMISATION_QUESTION = "does the heatmap depend on what the model learned?"

POINTING_READING = {
    PASSES: "its heatmaps land on the shape (passes)",
    PARTLY: "only a little better than a guess (partly)",
    FAILS: "not clearly better than a guess (fails)",
}
"""What the pointing game's result says, for each result."""

RANDOMISATION_READING = {
    PASSES: "it depends on what the model learned (passes)",
    PARTLY: "it depends only partly on what the model learned (partly)",
    FAILS: "it hardly changed: it shows the image more than what the model learned (fails)",
}
"""What the randomisation check's result says, for each result."""

_LANDS = {
    PASSES: "it lands on the shape",
    PARTLY: "it lands on the shape only a little more often than a guess",
    FAILS: "it does not land on the shape clearly more often than a guess",
}
_DEPENDS = {
    PASSES: "it depends on what the model learned",
    PARTLY: "it only partly depends on what the model learned",
    FAILS: "it hardly depends on what the model learned",
}

# (pointing, randomisation) -> (tone, headline).
_BOTH = {
    (PASSES, PASSES): ("trust", f"Trust it for localisation: {_LANDS[PASSES]}, and "
                       f"{_DEPENDS[PASSES]}."),
    (PASSES, PARTLY): ("care", f"Mostly trust it: {_LANDS[PASSES]}, but part of the map "
                       "stays when the weights are random."),
    (PASSES, FAILS): ("distrust", f"It looks right for the wrong reason: {_LANDS[PASSES]}, "
                      f"but {_DEPENDS[FAILS]} (it follows the image, such as its edges). Do "
                      "not trust it as the model's reason."),
    (PARTLY, PASSES): ("care", f"Use it with care: {_DEPENDS[PASSES]}, but "
                       f"{_LANDS[PARTLY]}."),
    (PARTLY, PARTLY): ("care", f"Use it with care: {_LANDS[PARTLY]}, and "
                       f"{_DEPENDS[PARTLY]}."),
    (PARTLY, FAILS): ("distrust", f"Do not trust it: {_DEPENDS[FAILS]}, and "
                      f"{_LANDS[PARTLY]}."),
    (FAILS, PASSES): ("care", f"It follows the model, not the shape: {_DEPENDS[PASSES]}, but "
                      f"{_LANDS[FAILS]}. The model may use other parts of the image, or the "
                      "map may be too coarse; do not use it to find the shape."),
    (FAILS, PARTLY): ("distrust", f"Do not trust it for localisation: {_LANDS[FAILS]}, and "
                      f"{_DEPENDS[PARTLY]}."),
    (FAILS, FAILS): ("distrust", f"Do not trust it: {_LANDS[FAILS]}, and "
                     f"{_DEPENDS[FAILS]}."),
}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """Whether to trust a method's heatmaps, from the two checks.

    Attributes:
        tone: ``"trust"``, ``"care"`` or ``"distrust"`` (a page colours them green, amber
            and red).
        headline: one sentence that names both checks' findings.
        pointing: the pointing game's result, or ``None`` when it was not measured.
        randomisation: the randomisation check's result, or ``None`` when it was not run.
    """

    tone: str
    headline: str
    pointing: str | None
    randomisation: str | None


def _share(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"{name} must be a share in [0, 1], got {value!r}.")
    return value


def randomisation_result(rho: float) -> str:
    """Read the randomisation check's rank correlation.

    Args:
        rho: Spearman ρ in [-1, 1] between the trained model's map and the map once the
            weights are random. A negative ρ (the ranking reversed) also means the map
            changed with the weights.

    Returns:
        :data:`PASSES` when ``rho < RHO_DEPENDS``, :data:`FAILS` when ``rho > RHO_IGNORES``,
        :data:`PARTLY` in between (both ends included).

    Raises:
        ValueError: ``rho`` is NaN or outside [-1, 1].
    """
    rho = float(rho)
    if math.isnan(rho) or not -1.0 <= rho <= 1.0:
        raise ValueError(f"A rank correlation must lie in [-1, 1], got {rho!r}.")
    if rho < RHO_DEPENDS:
        return PASSES
    if rho > RHO_IGNORES:
        return FAILS
    return PARTLY


def pointing_result(pointing: float, centre: float, shuffled: float) -> str:
    """Read the pointing game against its two guesses.

    Args:
        pointing: share of images whose heatmap peaks inside the object's box, in [0, 1].
        centre: the same share for a map that always peaks at the centre.
        shuffled: the same share for the maps scored against other images' boxes.

    Returns:
        With ``lead = pointing - max(centre, shuffled)``: :data:`PASSES` when
        ``lead >= POINTING_CLEAR``, :data:`PARTLY` when ``lead >= POINTING_SOME``, else
        :data:`FAILS`.

    Raises:
        ValueError: a share is outside [0, 1] or NaN.
    """
    lead = _share("pointing", pointing) - max(
        _share("centre", centre), _share("shuffled", shuffled)
    )
    lead = round(lead, 9)  # 0.5 - 0.3 is 0.19999999999999998: a 20-point lead all the same
    if lead >= POINTING_CLEAR:
        return PASSES
    if lead >= POINTING_SOME:
        return PARTLY
    return FAILS


def trust_verdict(pointing: str | None, randomisation: str | None) -> Verdict:
    """One verdict from the pointing game and the randomisation check.

    Both pass: trust it for localisation. It points right but ignores the weights: it looks
    right for the wrong reason. It depends on the weights but misses the shape: it follows
    the model, which may look elsewhere. With one check missing, the verdict says what the
    other found and that the rest is not known.

    Args:
        pointing: :func:`pointing_result`, or ``None`` (not measured: no object boxes).
        randomisation: :func:`randomisation_result`, or ``None`` (not run).

    Returns:
        The :class:`Verdict`.

    Raises:
        ValueError: a result is not one of :data:`PASSES`, :data:`PARTLY`, :data:`FAILS`.
    """
    for name, value in (("pointing", pointing), ("randomisation", randomisation)):
        if value is not None and value not in (PASSES, PARTLY, FAILS):
            raise ValueError(f"{name} must be 'passes', 'partly', 'fails' or None, got {value!r}.")
    if pointing is not None and randomisation is not None:
        tone, headline = _BOTH[(pointing, randomisation)]
    elif pointing is not None:
        tone = "distrust" if pointing == FAILS else "care"
        headline = (
            f"{_LANDS[pointing].capitalize()}. Whether it depends on what the model learned "
            "is not checked yet."
        )
    elif randomisation is not None:
        tone = "distrust" if randomisation == FAILS else "care"
        headline = (
            f"{_DEPENDS[randomisation].capitalize()}. Whether it lands on the object is not "
            "measured here."
        )
    else:
        tone, headline = "care", "Neither check has run: nothing says yet whether to trust it."
    return Verdict(tone, headline, pointing, randomisation)


def randomisation_thresholds() -> str:
    """The randomisation check's thresholds, as the page states them."""
    return (
        f"ρ below {RHO_DEPENDS:.1f}: depends on the weights (passes); "
        f"{RHO_DEPENDS:.1f}–{RHO_IGNORES:.1f}: partly; "
        f"above {RHO_IGNORES:.1f}: ignores the weights (fails)"
    )


def pointing_thresholds() -> str:
    """The pointing game's thresholds, as the page states them."""
    clear, some = round(100 * POINTING_CLEAR), round(100 * POINTING_SOME)
    return (
        f"a lead over the better guess of {clear} points or more: passes; "
        f"{some}–{clear}: partly; under {some}: fails"
    )
