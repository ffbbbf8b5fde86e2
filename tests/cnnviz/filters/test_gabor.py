"""Gabor kernels and banks: equal to OpenCV, tuned to stripes, compared fairly."""

import math

import cv2
import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    GaborSpec,
    bank_responses,
    filter2d,
    gabor_bank,
    gabor_kernel,
    strongest_kernel,
)


def _stripes(wavelength: float, vertical: bool, size: int = 64) -> np.ndarray:
    coord = np.arange(size, dtype=np.float64)
    wave = 128 + 100 * np.cos(2 * np.pi * coord / wavelength)
    img = np.tile(wave, (size, 1)) if vertical else np.tile(wave[:, None], (1, size))
    return img.astype(np.uint8)


GABOR_TABLE = [
    # ksize, sigma, theta, lambd, gamma, psi
    (1, 1.0, 0.0, 2.0, 1.0, 0.0),
    (3, 0.5, 0.0, 2.0, 1.0, 0.0),
    (5, 1.0, math.pi / 4, 4.0, 0.5, 0.0),
    (21, 4.0, 0.0, 10.0, 0.5, 0.0),
    (21, 4.0, math.pi / 2, 10.0, 0.5, math.pi / 2),
    (31, 5.0, math.pi / 3, 8.0, 0.3, -1.0),
    (31, 3.0, 2.5, 6.0, 1.5, math.pi),
    (45, 8.0, -0.7, 20.0, 0.8, 0.3),
    (63, 10.0, 3 * math.pi / 4, 30.0, 1.0, 2.0),
    (127, 20.0, 1.0, 40.0, 0.25, 0.0),
]


@pytest.mark.parametrize("params", GABOR_TABLE)
def test_gabor_kernel_equals_opencv(params):
    ksize, *rest = params
    ours = gabor_kernel(*params)
    theirs = cv2.getGaborKernel((ksize, ksize), *rest, ktype=cv2.CV_32F)
    assert ours.dtype == np.float32
    assert ours.shape == (ksize, ksize) == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ((4, 4.0, 0.0, 10.0, 0.5, 0.0), "odd"),
        ((0, 4.0, 0.0, 10.0, 0.5, 0.0), "at least 1"),
        ((129, 4.0, 0.0, 10.0, 0.5, 0.0), "odd"),
        ((5.5, 4.0, 0.0, 10.0, 0.5, 0.0), "whole number"),
        ((5, 0.0, 0.0, 10.0, 0.5, 0.0), "sigma"),
        ((5, 4.0, 0.0, -3.0, 0.5, 0.0), "lambda"),
        ((5, 4.0, 0.0, 10.0, 0.0, 0.0), "gamma"),
        ((5, 4.0, float("nan"), 10.0, 0.5, 0.0), "theta"),
        ((5, 4.0, 0.0, 10.0, 0.5, float("inf")), "psi"),
        ((5, "wide", 0.0, 10.0, 0.5, 0.0), "sigma"),
    ],
)
def test_gabor_kernel_rejects_bad_parameters(params, words):
    with pytest.raises(InputError, match=words):
        gabor_kernel(*params)


def test_gabor_orientation_responds_to_matching_stripes():
    """θ = 0 (wave travelling along x) fires on vertical stripes, θ = 90° on horizontal ones."""
    vertical, horizontal = _stripes(8, True), _stripes(8, False)
    k0 = gabor_kernel(21, 4.0, 0.0, 8.0, 0.5, 0.0)
    k90 = gabor_kernel(21, 4.0, math.pi / 2, 8.0, 0.5, 0.0)
    energy = {
        (name, k): float(np.abs(filter2d(img, kern)[16:-16, 16:-16]).mean())
        for name, img in (("v", vertical), ("h", horizontal))
        for k, kern in (("0", k0), ("90", k90))
    }
    assert energy[("v", "0")] > 10 * energy[("v", "90")]
    assert energy[("h", "90")] > 10 * energy[("h", "0")]


def test_gabor_bank_grid_and_strongest_kernel():
    bank = gabor_bank(4, (4.0, 8.0, 16.0), max_ksize=41)
    assert [len(row) for row in bank] == [4, 4, 4]
    assert [spec.theta for spec in bank[1]] == pytest.approx(
        [0, math.pi / 4, math.pi / 2, 0.75 * math.pi]
    )
    assert all(spec.ksize % 2 == 1 and spec.ksize <= 41 for row in bank for spec in row)
    assert bank[0][0].sigma == pytest.approx(0.56 * 4)
    assert bank[1][2].label == "θ=90° λ=8"
    np.testing.assert_array_equal(bank[2][3].kernel(), gabor_kernel(*_spec_args(bank[2][3])))

    specs = bank[1]  # λ = 8
    image = _stripes(8, vertical=False)  # horizontal stripes: θ = 90° should win
    responses = bank_responses(image, specs)
    assert responses.shape == (4, 64, 64) and responses.dtype == np.float32
    np.testing.assert_allclose(
        responses[3], filter2d(image, filters.normalize_kernel(specs[3].kernel())), atol=1e-4
    )
    raw = bank_responses(image, specs, normalize=False)
    np.testing.assert_allclose(raw[3], filter2d(image, specs[3].kernel()))
    index, strength = strongest_kernel(responses)
    assert np.bincount(index[16:-16, 16:-16].ravel(), minlength=4).argmax() == 2
    assert strength.shape == (64, 64) and np.all(strength >= 0)


@pytest.mark.parametrize("size", [1, 3, 21, 63])
def test_normalized_kernels_ignore_brightness_and_compare_across_sizes(size):
    kernel = filters.normalize_kernel(
        gabor_kernel(size, size / 6 + 0.5, 0.3, size / 3 + 2, 0.5, 0.0)
    )
    if size == 1:  # a single weight minus its mean is all zero
        assert not kernel.any()
        return
    assert abs(float(kernel.mean())) < 1e-7
    assert float(np.abs(kernel).sum()) == pytest.approx(1.0, rel=1e-5)
    flat = np.full((80, 80), 200, np.uint8)
    assert np.abs(filter2d(flat, kernel)).max() < 1e-3
    assert np.abs(filter2d(_stripes(8, True, 80), kernel)).max() <= 255


def _spec_args(spec: GaborSpec):
    return spec.ksize, spec.sigma, spec.theta, spec.lambd, spec.gamma, spec.psi


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"orientations": 0}, "1 to 16"),
        ({"orientations": 2.5}, "whole number"),
        ({"wavelengths": ()}, "at least one"),
        ({"wavelengths": (1.0,)}, "below 2"),
        ({"max_ksize": 8}, "odd"),
    ],
)
def test_gabor_bank_rejects_bad_settings(kwargs, words):
    with pytest.raises(InputError, match=words):
        gabor_bank(**kwargs)


# --- by frequency (cycles per pixel) as well as by wavelength -------------------------------


@pytest.mark.parametrize("wavelength", [2.0, 4.0, 10.0, 12.5, 40.0])
def test_a_kernel_set_by_frequency_is_the_one_set_by_its_wavelength(wavelength):
    frequency = filters.gabor_frequency(wavelength)
    assert frequency == pytest.approx(1 / wavelength)
    assert filters.gabor_wavelength(frequency) == pytest.approx(wavelength)
    by_frequency = gabor_kernel(21, 4.0, 0.3, filters.gabor_wavelength(frequency), 0.5, 0.2)
    np.testing.assert_array_equal(by_frequency, gabor_kernel(21, 4.0, 0.3, wavelength, 0.5, 0.2))


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf")])
def test_frequency_and_wavelength_must_be_positive(bad):
    with pytest.raises(InputError, match="frequency"):
        filters.gabor_wavelength(bad)
    with pytest.raises(InputError, match="wavelength"):
        filters.gabor_frequency(bad)
