"""Fitting a Gabor kernel to a learned one."""

import math

import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    gabor_kernel,
)

GABOR_CASES = [
    # ksize, sigma, theta, lambd, gamma, psi
    (7, 2.0, 0.3, 5.0, 0.5, 0.0),
    (7, 1.5, 1.2, 4.0, 1.0, math.pi / 2),
    (5, 1.2, 2.0, 3.0, 0.7, 0.5),
    (11, 3.0, 2.5, 7.0, 0.4, -1.0),
    (7, 2.5, 0.8, 6.0, 0.6, math.pi),
    (9, 2.0, 0.0, 4.0, 0.5, -math.pi / 2),
]


def _angle_gap(a: float, b: float, period: float) -> float:
    return abs(math.remainder(a - b, period))


@pytest.mark.parametrize("case", GABOR_CASES)
def test_fit_gabor_recovers_known_parameters(case):
    ksize, sigma, theta, lambd, gamma, psi = case
    params, correlation = filters.fit_gabor(gabor_kernel(*case))
    assert correlation > 0.95
    assert params["ksize"] == ksize
    assert _angle_gap(params["theta"], theta, math.pi) < math.radians(3)
    assert params["lambd"] == pytest.approx(lambd, rel=0.05)
    assert params["sigma"] == pytest.approx(sigma, rel=0.1)
    assert params["gamma"] == pytest.approx(gamma, rel=0.1)
    # θ is reported in [0, π); going round by π flips ψ.
    expected_psi = psi if _angle_gap(params["theta"], theta, 2 * math.pi) < 0.1 else -psi
    assert _angle_gap(params["psi"], expected_psi, 2 * math.pi) < math.radians(5)
    assert 0 <= params["theta"] < math.pi


def test_fit_gabor_is_scale_offset_and_sign_free():
    case = (7, 2.0, 1.0, 5.0, 0.6, 0.4)
    base = gabor_kernel(*case)
    params, correlation = filters.fit_gabor(-3.0 * base + 0.25)
    assert correlation > 0.99
    assert params["amplitude"] == pytest.approx(3.0, rel=0.02)
    assert params["offset"] == pytest.approx(0.25, abs=0.02)
    assert _angle_gap(params["psi"], case[5] + math.pi, math.pi * 2) < math.radians(5) or (
        _angle_gap(params["psi"], -(case[5] + math.pi), math.pi * 2) < math.radians(5)
    )


def test_fit_gabor_on_rgb_uses_the_luminance():
    k = gabor_kernel(7, 2.0, 0.5, 5.0, 0.5, 0.0)
    rgb = np.stack([k * 0.5, k * 1.0, k * 2.0], axis=-1)
    gray = filters.kernel_to_gray(rgb)
    np.testing.assert_allclose(gray, k * (0.299 * 0.5 + 0.587 + 0.114 * 2), rtol=1e-6)
    _, correlation = filters.fit_gabor(rgb)
    assert correlation > 0.99


def test_fit_gabor_noise_baseline_is_low():
    rng = np.random.default_rng(0)
    noise = [filters.fit_gabor(rng.normal(size=(7, 7)))[1] for _ in range(5)]
    assert np.median(noise) < 0.7  # far below the > 0.95 of real Gabor kernels


def test_fit_gabor_does_not_change_its_input_and_handles_constants():
    k = gabor_kernel(5, 1.5, 0.4, 4.0, 0.5, 0.0)
    before = k.copy()
    filters.fit_gabor(k)
    np.testing.assert_array_equal(k, before)
    params, correlation = filters.fit_gabor(np.ones((5, 5)))
    assert correlation == 0.0 and params["amplitude"] == 0.0


@pytest.mark.parametrize(
    ("kernel", "match"),
    [
        (np.zeros((4, 4)), "odd side"),
        (np.zeros((3, 5)), "odd side"),
        (np.full((3, 3), np.nan), "NaN"),
        (np.zeros((3, 3, 3, 3)), "Expected"),
    ],
)
def test_fit_gabor_refuses_bad_kernels(kernel, match):
    with pytest.raises(InputError, match=match):
        filters.fit_gabor(kernel)
