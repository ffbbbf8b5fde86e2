"""What the Filters page shows, computed in the core: responses, bank grids, zoomed views."""

import math

import numpy as np
import pytest

from cnnviz import filters


def test_gabor_response_is_the_zero_mean_kernel_filtered(gray):
    params = (9, 4.0, math.pi / 4, 10.0, 0.5, 0.0)
    before = gray.copy()
    kernel, response = filters.gabor_response(gray, params)
    raw = filters.gabor_kernel(*params)
    np.testing.assert_allclose(kernel, raw - raw.mean(), atol=1e-6)
    assert response.dtype == np.float16 and response.shape == gray.shape
    np.testing.assert_allclose(response, filters.filter2d(gray, kernel), rtol=1e-3, atol=0.5)
    np.testing.assert_array_equal(gray, before)  # the input is left alone
    raw_kernel, _ = filters.gabor_response(gray, params, zero_mean=False)
    np.testing.assert_array_equal(raw_kernel, raw)


def test_bank_grid_lists_kernels_wavelength_by_wavelength(gray):
    specs, responses = filters.bank_grid(gray, 4, (4.0, 8.0), 0.5)
    assert len(specs) == 8 and responses.shape == (8, *gray.shape)
    assert [s.lambd for s in specs] == [4.0] * 4 + [8.0] * 4
    np.testing.assert_allclose(responses, filters.bank_responses(gray, specs))


def test_padded_kernels_share_the_largest_side_and_keep_their_centre():
    specs = [s for row in filters.gabor_bank(2, (4.0, 16.0)) for s in row]
    padded = filters.padded_kernels(specs)
    side = max(s.ksize for s in specs)
    assert {k.shape for k in padded} == {(side, side)}
    small = specs[0]
    pad = (side - small.ksize) // 2
    np.testing.assert_array_equal(padded[0][pad : pad + small.ksize, pad : pad + small.ksize],
                                  small.kernel())  # fmt: skip
    assert not padded[0][:pad].any()


def test_strongest_orientation_is_coloured_by_the_winning_kernel():
    stripes = np.tile((np.arange(64) // 4 % 2 * 255).astype(np.uint8), (64, 1))  # vertical
    specs, responses = filters.bank_grid(stripes, 4, (8.0,), 0.5)
    rgb = filters.strongest_orientation_rgb(specs, responses)
    assert rgb.shape == (64, 64, 3) and rgb.dtype == np.uint8
    centre = rgb[32, 32].astype(int)
    assert centre[0] > centre[1] and centre[0] > centre[2]  # θ = 0°: red


@pytest.mark.parametrize(
    ("box", "margin", "expected"),
    [
        ((20, 30, 20, 30), 7, (13, 23, (15, 15))),  # inside: 7 on every side
        ((0, 0, 0, 0), 7, (0, 0, (8, 8))),  # a corner: clipped
        ((10, 20, 13, 23), 6, (4, 14, (16, 16))),  # a pooling window and its margin
        ((47, 63, 47, 63), 7, (40, 56, (8, 8))),  # the far corner
    ],
)
def test_neighbourhood_cuts_the_zoom_around_a_box(gray, box, margin, expected):
    zoom, r0, c0 = filters.neighbourhood(gray, box, margin)
    assert (r0, c0, zoom.shape) == expected
    assert zoom.dtype == np.float32
    np.testing.assert_array_equal(zoom, gray[r0 : r0 + zoom.shape[0], c0 : c0 + zoom.shape[1]])
