"""filter2d, convolve and the step-through of one output pixel."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz.errors import InputError
from cnnviz.filters import (
    BORDERS,
    convolution_step,
    convolve,
    filter2d,
    gabor_kernel,
    kernel_preset,
)


def _reference_correlation(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Loop-free numpy cross-correlation with zero padding, independent of OpenCV."""
    kh, kw = kernel.shape
    padded = np.pad(image.astype(np.float64), ((kh // 2,) * 2, (kw // 2,) * 2))
    windows = sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel.astype(np.float64))


@pytest.mark.parametrize("shape", [(3, 3), (5, 5), (3, 7), (1, 5), (21, 21)])
def test_filter2d_is_cross_correlation_like_cnn_layers(gray, shape):
    kernel = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    ours = filter2d(gray, kernel, border="zero")
    np.testing.assert_allclose(ours, _reference_correlation(gray, kernel), rtol=1e-4, atol=1e-2)
    # A true convolution flips the kernel; for an asymmetric kernel the results differ.
    assert not np.allclose(convolve(gray, kernel, border="zero"), ours, atol=1)


def test_convolve_flips_sobel_but_not_symmetric_kernels(gray):
    sx = kernel_preset("sobel x")
    np.testing.assert_allclose(convolve(gray, sx), -filter2d(gray, sx))
    blur = kernel_preset("gaussian blur", 5)
    np.testing.assert_allclose(convolve(gray, blur), filter2d(gray, blur))


def test_filter2d_borders_only_change_the_edges(gray):
    kernel = kernel_preset("box blur", 5)
    outs = {name: filter2d(gray, kernel, border=name) for name in BORDERS}
    for out in outs.values():
        assert out.shape == gray.shape and out.dtype == np.float32
        np.testing.assert_allclose(out[2:-2, 2:-2], outs["zero"][2:-2, 2:-2], rtol=1e-5)
    assert outs["zero"][0, 0] < outs["replicate"][0, 0]  # zeros darken the corner


def test_filter2d_filters_each_channel_and_leaves_input_alone(gray):
    rgb = np.dstack([gray, 255 - gray, gray // 2])
    before = rgb.copy()
    out = filter2d(rgb, kernel_preset("sharpen"))
    np.testing.assert_array_equal(rgb, before)
    assert out.shape == rgb.shape
    np.testing.assert_allclose(out[..., 1], filter2d(255 - gray, kernel_preset("sharpen")))


@pytest.mark.parametrize(
    ("kernel", "words"),
    [
        (np.ones((2, 2)), "odd"),
        (np.ones((3, 3, 1)), "2-D"),
        (np.array([[1, np.nan, 1]] * 3), "finite"),
        (np.full((3, 3), "x"), "number"),
        (np.ones((129, 1)), "larger"),
    ],
)
def test_filter2d_rejects_bad_kernels(gray, kernel, words):
    with pytest.raises(InputError, match=words):
        filter2d(gray, kernel)


def test_filter2d_rejects_bad_border_and_image(gray):
    with pytest.raises(InputError, match="border"):
        filter2d(gray, np.ones((3, 3)), border="wrap")
    with pytest.raises(InputError, match="image"):
        filter2d(np.zeros((0, 4)), np.ones((3, 3)))


STEP_KERNELS = {
    "sobel 3": kernel_preset("sobel x", 3),
    "emboss 5": kernel_preset("emboss", 5),
    "random 3x5": np.random.default_rng(5).normal(size=(3, 5)).astype(np.float32),
    "gabor 21": gabor_kernel(21, 4.0, 0.6, 8.0, 0.5, 0.0),
}
POSITIONS = [(0, 0), (0, 63), (47, 0), (47, 63), (1, 2), (24, 30), (10, 62)]


@pytest.mark.parametrize("border", list(BORDERS))
@pytest.mark.parametrize("kernel_name", list(STEP_KERNELS))
def test_step_through_sum_is_the_output_pixel(gray, kernel_name, border):
    kernel = STEP_KERNELS[kernel_name]
    full = filter2d(gray, kernel, border=border)
    for row, col in POSITIONS:
        step = convolution_step(gray, kernel, row, col, border=border)
        assert step.patch.shape == kernel.shape == step.product.shape == step.outside.shape
        np.testing.assert_allclose(step.product, step.patch * kernel)
        assert step.total == pytest.approx(float(full[row, col]), rel=1e-4, abs=2e-2)


def test_step_through_patch_and_padding_flags(gray):
    step = convolution_step(gray, np.ones((3, 3)), 0, 0, border="zero")
    expected_outside = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0]], bool)
    np.testing.assert_array_equal(step.outside, expected_outside)
    assert np.all(step.patch[expected_outside] == 0)
    np.testing.assert_array_equal(step.patch[1:, 1:], gray[:2, :2])
    inside = convolution_step(gray, np.ones((3, 3)), 10, 20)
    np.testing.assert_array_equal(inside.patch, gray[9:12, 19:22])
    assert not inside.outside.any()
    assert inside.total == pytest.approx(float(gray[9:12, 19:22].sum()))


@pytest.mark.parametrize(("row", "col"), [(-1, 0), (48, 0), (0, 64), (1.5, 0), (True, 0)])
def test_step_through_rejects_positions_outside_the_image(gray, row, col):
    with pytest.raises(InputError, match=r"row|column"):
        convolution_step(gray, np.ones((3, 3)), row, col)
