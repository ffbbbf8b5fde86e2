"""The two trust checks' thresholds and the one verdict from both, on closed-form cases."""

import itertools

import pytest

from cnnviz.attribution import verdict as v
from cnnviz.attribution.verdict import FAILS, PARTLY, PASSES

RESULTS = (PASSES, PARTLY, FAILS)


@pytest.mark.parametrize(
    ("rho", "expected"),
    [
        (-1.0, PASSES),  # the ranking reversed: the map changed with the weights
        (-0.4, PASSES),
        (0.0, PASSES),
        (0.11, PASSES),  # the case: unrelated to the trained map
        (0.2999, PASSES),
        (0.3, PARTLY),  # both ends of "partly" included
        (0.5, PARTLY),
        (0.7, PARTLY),
        (0.7001, FAILS),
        (0.95, FAILS),
        (1.0, FAILS),  # the same map whatever the weights
    ],
)
def test_randomisation_reads_low_rho_as_depending_on_the_weights(rho, expected):
    assert v.randomisation_result(rho) == expected


@pytest.mark.parametrize("rho", [float("nan"), 1.01, -1.5])
def test_randomisation_refuses_what_is_no_correlation(rho):
    with pytest.raises(ValueError, match="rank correlation"):
        v.randomisation_result(rho)


@pytest.mark.parametrize(
    ("pointing", "centre", "shuffled", "expected"),
    [
        (0.79, 0.19, 0.20, PASSES),  # the shapes model: 79% against 19%
        (0.5, 0.3, 0.1, PASSES),  # a lead of exactly 20 points (0.19999… in floats)
        (0.5, 0.1, 0.3, PASSES),  # the better guess counts, whichever it is
        (0.49, 0.3, 0.1, PARTLY),
        (0.4, 0.3, 0.1, PARTLY),  # exactly 10 points
        (0.39, 0.3, 0.1, FAILS),
        (0.5, 0.1, 0.45, FAILS),  # no better than other images' boxes
        (0.2, 0.6, 0.1, FAILS),  # worse than the centre guess
        (1.0, 0.0, 0.0, PASSES),
    ],
)
def test_pointing_reads_the_lead_over_the_better_guess(pointing, centre, shuffled, expected):
    assert v.pointing_result(pointing, centre, shuffled) == expected


@pytest.mark.parametrize("shares", [(1.2, 0.1, 0.1), (0.5, -0.1, 0.1), (0.5, 0.1, float("nan"))])
def test_pointing_refuses_shares_outside_zero_one(shares):
    with pytest.raises(ValueError, match="share"):
        v.pointing_result(*shares)


@pytest.mark.parametrize(
    ("pointing", "randomisation", "tone", "says"),
    [
        (PASSES, PASSES, "trust", "Trust it for localisation"),
        (PASSES, PARTLY, "care", "Mostly trust it"),
        (PASSES, FAILS, "distrust", "looks right for the wrong reason"),
        (PARTLY, PASSES, "care", "Use it with care"),
        (PARTLY, PARTLY, "care", "Use it with care"),
        (PARTLY, FAILS, "distrust", "Do not trust it"),
        (FAILS, PASSES, "care", "follows the model, not the shape"),
        (FAILS, PARTLY, "distrust", "Do not trust it for localisation"),
        (FAILS, FAILS, "distrust", "Do not trust it"),
    ],
)
def test_every_combination_has_its_verdict(pointing, randomisation, tone, says):
    verdict = v.trust_verdict(pointing, randomisation)
    assert (verdict.tone, verdict.pointing, verdict.randomisation) == (
        tone,
        pointing,
        randomisation,
    )
    assert says in verdict.headline


@pytest.mark.parametrize(("pointing", "randomisation"), itertools.product(RESULTS, RESULTS))
def test_the_headline_names_both_findings(pointing, randomisation):
    # Each headline says where the map lands and whether it depends on the weights, in the
    # words of each check's result: never one without the other.
    headline = v.trust_verdict(pointing, randomisation).headline
    assert v._LANDS[pointing] in headline
    if (pointing, randomisation) != (PASSES, PARTLY):
        assert v._DEPENDS[randomisation] in headline
    else:
        assert "part of the map stays when the weights are random" in headline
    # "trust" without "not" only when both pass.
    trusting = headline.startswith(("Trust", "Mostly trust"))
    assert trusting == (pointing == PASSES and randomisation in (PASSES, PARTLY))


@pytest.mark.parametrize("result", RESULTS)
def test_one_check_alone_says_what_is_missing(result):
    alone = v.trust_verdict(result, None)
    assert alone.headline.startswith(v._LANDS[result].capitalize())
    assert "not checked yet" in alone.headline
    assert alone.tone == ("distrust" if result == FAILS else "care")
    alone = v.trust_verdict(None, result)
    assert alone.headline.startswith(v._DEPENDS[result].capitalize())
    assert "not measured here" in alone.headline
    assert alone.tone == ("distrust" if result == FAILS else "care")
    assert v.trust_verdict(None, None).tone == "care"


def test_unknown_results_are_refused():
    with pytest.raises(ValueError, match="pointing"):
        v.trust_verdict("good", PASSES)
    with pytest.raises(ValueError, match="randomisation"):
        v.trust_verdict(PASSES, "bad")


def test_the_thresholds_are_stated_from_the_constants():
    assert v.randomisation_thresholds() == (
        "ρ below 0.3: depends on the weights (passes); 0.3–0.7: partly; "
        "above 0.7: ignores the weights (fails)"
    )
    assert v.pointing_thresholds() == (
        "a lead over the better guess of 20 points or more: passes; 10–20: partly; under 10: fails"
    )
    assert v.RHO_DEPENDS < v.RHO_IGNORES and v.POINTING_SOME < v.POINTING_CLEAR
