import math

import cv2
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    BORDERS,
    KERNEL_PRESETS,
    GaborSpec,
    bank_responses,
    convolution_step,
    convolve,
    direction_rgb,
    explain_output_size,
    filter2d,
    gabor_bank,
    gabor_kernel,
    kernel_preset,
    output_size,
    pool_output_size,
    same_padding,
    sobel,
    strongest_kernel,
    window_starts,
)


@pytest.fixture(scope="module")
def gray():
    """A 48×64 uint8 image with structure (gradient + disc + noise)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:48, 0:64]
    img = 2.0 * xx + 60.0 * ((yy - 24) ** 2 + (xx - 30) ** 2 < 150) + rng.normal(0, 8, (48, 64))
    return np.clip(img, 0, 255).astype(np.uint8)


def _stripes(wavelength: float, vertical: bool, size: int = 64) -> np.ndarray:
    coord = np.arange(size, dtype=np.float64)
    wave = 128 + 100 * np.cos(2 * np.pi * coord / wavelength)
    img = np.tile(wave, (size, 1)) if vertical else np.tile(wave[:, None], (1, size))
    return img.astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Gabor

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


# ---------------------------------------------------------------------------------------------
# Sobel


@pytest.mark.parametrize("ksize", filters.SOBEL_SIZES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_sobel_equals_opencv(gray, ksize, dtype):
    image = gray.astype(dtype)
    gx, gy, magnitude, direction = sobel(image, ksize)
    ref = image.astype(np.float32)
    np.testing.assert_array_equal(gx, cv2.Sobel(ref, cv2.CV_32F, 1, 0, ksize=ksize))
    np.testing.assert_array_equal(gy, cv2.Sobel(ref, cv2.CV_32F, 0, 1, ksize=ksize))
    np.testing.assert_allclose(magnitude, np.hypot(gx, gy), rtol=1e-5)
    np.testing.assert_allclose(direction, np.arctan2(gy, gx), atol=1e-6)
    for out in (gx, gy, magnitude, direction):
        assert out.dtype == np.float32 and out.shape == gray.shape
    assert direction.min() >= -math.pi and direction.max() <= math.pi


@pytest.mark.parametrize(
    ("ramp", "angle"),
    [("right", 0.0), ("down", math.pi / 2), ("left", math.pi), ("up", -math.pi / 2)],
)
def test_sobel_direction_points_where_brightness_increases(ramp, angle):
    coord = np.arange(16, dtype=np.float32) * 10
    image = {
        "right": np.tile(coord, (16, 1)),
        "left": np.tile(coord[::-1], (16, 1)),
        "down": np.tile(coord[:, None], (1, 16)),
        "up": np.tile(coord[::-1, None], (1, 16)),
    }[ramp]
    direction = sobel(image, 3)[3][4:-4, 4:-4]
    # ±π are the same direction: compare on the circle.
    assert np.allclose(np.cos(direction), math.cos(angle), atol=1e-5)
    assert np.allclose(np.sin(direction), math.sin(angle), atol=1e-5)


@pytest.mark.parametrize("ksize", [0, 2, 9, -1, True, 3.0])
def test_sobel_rejects_bad_kernel_sizes(gray, ksize):
    with pytest.raises(InputError, match="Sobel kernel size"):
        sobel(gray, ksize)


def test_sobel_rejects_color_images(gray):
    with pytest.raises(InputError, match="gray"):
        sobel(np.dstack([gray] * 3))


def test_direction_rgb_colours_by_angle_and_magnitude():
    direction = np.array([[0.0, math.pi / 2, math.pi, -math.pi / 2, 0.3]], np.float32)
    magnitude = np.array([[1.0, 1.0, 1.0, 1.0, 0.0]], np.float32)
    rgb = direction_rgb(direction, magnitude, percentile=100)
    assert rgb.shape == (1, 5, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0].tolist() == [255, 0, 0]  # 0° → red
    assert rgb[0, 2].tolist() == [0, 255, 255]  # 180° → cyan
    assert rgb[0, 4].tolist() == [0, 0, 0]  # no gradient → black
    assert rgb[0, 1].tolist() != rgb[0, 3].tolist()
    with pytest.raises(InputError, match="one shape"):
        direction_rgb(direction, magnitude[:, :3])
    assert filters.angle_wheel(32).shape == (32, 32, 3)


# ---------------------------------------------------------------------------------------------
# Filtering, presets and the step-through


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


@pytest.mark.parametrize("size", filters.PRESET_SIZES)
@pytest.mark.parametrize("name", KERNEL_PRESETS)
def test_presets_shapes_and_sums(name, size):
    kernel = kernel_preset(name, size)
    assert kernel.shape == (size, size) and kernel.dtype == np.float32
    expected_sum = (
        0.0
        if name in {"laplacian", "prewitt x", "prewitt y", "sobel x", "sobel y"}
        or name.startswith("haar")
        else 1.0
    )
    assert kernel.sum() == pytest.approx(expected_sum, abs=1e-5)
    assert name in filters.PRESET_NOTES


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize(("name", "dx", "dy"), [("sobel x", 1, 0), ("sobel y", 0, 1)])
def test_sobel_presets_match_cv2_sobel(gray, name, dx, dy, size):
    ours = filter2d(gray, kernel_preset(name, size))
    np.testing.assert_allclose(ours, cv2.Sobel(gray, cv2.CV_32F, dx, dy, ksize=size), atol=1e-3)


@pytest.mark.parametrize(("size", "cv_ksize"), [(3, 1), (5, 5)])
def test_laplacian_presets_match_cv2_laplacian(gray, size, cv_ksize):
    ours = filter2d(gray, kernel_preset("laplacian", size))
    np.testing.assert_allclose(ours, cv2.Laplacian(gray, cv2.CV_32F, ksize=cv_ksize), atol=1e-3)


def test_identity_preset_copies_the_image(gray):
    np.testing.assert_array_equal(filter2d(gray, kernel_preset("identity", 5)), gray)


def test_prewitt_x_fires_on_a_left_to_right_ramp():
    ramp = np.tile(np.arange(10, dtype=np.float32), (10, 1))
    assert np.allclose(filter2d(ramp, kernel_preset("prewitt x"))[2:-2, 2:-2], 6.0)
    assert np.allclose(filter2d(ramp, kernel_preset("prewitt y"))[2:-2, 2:-2], 0.0)


@pytest.mark.parametrize(("name", "size"), [("blur", 3), ("sobel x", 4), ("sobel x", True)])
def test_bad_presets(name, size):
    with pytest.raises(InputError):
        kernel_preset(name, size)


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


# ---------------------------------------------------------------------------------------------
# Output-size arithmetic against real Keras layers

FITS = [
    # N, F, P, S, expected output
    (32, 5, 0, 1, 28),
    (32, 3, 1, 1, 32),
    (28, 5, 2, 1, 28),
    (7, 3, 1, 2, 4),
    (227, 11, 0, 4, 55),  # AlexNet conv1
    (55, 3, 0, 2, 27),  # AlexNet pool1
    (13, 3, 0, 2, 6),
    (28, 2, 0, 2, 14),  # 2×2 pooling
    (9, 3, 0, 3, 3),
    (5, 5, 0, 1, 1),
    (1, 1, 0, 1, 1),
    (1, 3, 1, 1, 1),
    (6, 4, 1, 4, 2),
]
DOES_NOT_FIT = [
    # N, F, P, S  (Keras silently floors)
    (32, 5, 0, 2),
    (28, 3, 0, 2),
    (224, 7, 3, 2),  # ResNet stem: 223/2 is not whole
    (7, 2, 0, 2),
    (10, 4, 1, 3),
    (30, 3, 0, 4),
]


def _keras_sizes(n: int, f: int, p: int, s: int) -> tuple[int, int]:
    """(conv, max-pool) output height from real Keras layers on an N×N input."""
    keras = pytest.importorskip("keras")
    x = np.zeros((1, n, n, 1), np.float32)
    padded = keras.layers.ZeroPadding2D(p)(x) if p else x
    conv = keras.layers.Conv2D(1, f, strides=s, padding="valid")(padded)
    pool = keras.layers.MaxPooling2D(pool_size=f, strides=s, padding="valid")(padded)
    return int(conv.shape[1]), int(pool.shape[1])


@pytest.mark.parametrize(("n", "f", "p", "s", "expected"), FITS)
def test_output_size_matches_keras(n, f, p, s, expected):
    conv, pool = _keras_sizes(n, f, p, s)
    assert output_size(n, f, p, s) == expected == conv == pool
    assert explain_output_size(n, f, p, s).size == expected
    if p == 0:
        assert pool_output_size(n, f, s) == pool


@pytest.mark.parametrize(("n", "f", "p", "s"), DOES_NOT_FIT)
def test_output_size_flags_strides_that_keras_would_floor(n, f, p, s):
    conv, pool = _keras_sizes(n, f, p, s)
    with pytest.raises(InputError, match="stride does not fit"):
        output_size(n, f, p, s)
    report = explain_output_size(n, f, p, s)
    assert not report.fits and report.size is None
    assert report.floor_size == conv == pool  # what Keras silently produces
    assert report.leftover == (n + 2 * p - f) % s > 0
    assert any("not a whole number" in step for step in report.steps)
    assert report.suggestions()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((5, 7, 0, 1), "larger than the padded input"),
        ((0, 3, 0, 1), "at least 1"),
        ((8, 0, 0, 1), "at least 1"),
        ((8, 3, -1, 1), "at least 0"),
        ((8, 3, 0, 0), "at least 1"),
        ((8.5, 3, 0, 1), "whole number"),
        ((8, 3, True, 1), "whole number"),
        (("8", 3, 0, 1), "whole number"),
    ],
)
def test_output_size_rejects_invalid_values(args, words):
    with pytest.raises(InputError, match=words):
        output_size(*args)


def test_explain_output_size_steps_and_integral_floats():
    report = explain_output_size(32.0, 3, 1, 1)
    assert report.fits and report.size == 32 and report.suggestions() == []
    assert report.steps[0] == "Padded input: N + 2P = 32 + 2·1 = 34"
    assert report.steps[-1] == "Add the first position: 31 + 1 = 32"


def test_suggested_paddings_really_fit():
    for n, f, p, s in DOES_NOT_FIT:
        tips = explain_output_size(n, f, p, s).suggestions()
        for tip in tips:
            if tip.startswith("padding P = "):
                new_p = int(tip.split("=")[1].split()[0])
                assert explain_output_size(n, f, new_p, s).fits, (n, f, p, s, tip)
            if tip.startswith("input size N = "):
                new_n = int(tip.split("=")[1].split()[0])
                assert explain_output_size(new_n, f, p, s).fits, (n, f, p, s, tip)


def test_pool_same_padding_and_window_starts():
    assert pool_output_size(28, 2) == 14
    assert pool_output_size(27, 3, stride=3) == 9
    with pytest.raises(InputError, match="stride does not fit"):
        pool_output_size(27, 2)
    assert [same_padding(f) for f in (1, 3, 5, 7)] == [0, 1, 2, 3]
    with pytest.raises(InputError, match="odd"):
        same_padding(4)
    assert window_starts(7, 3, 0, 2) == [0, 2, 4]
    assert window_starts(8, 3, 0, 2) == [0, 2, 4]  # floor: the last column is never reached


# ---------------------------------------------------------------------------------------------
# Haar-like presets


@pytest.mark.parametrize("size", filters.PRESET_SIZES)
@pytest.mark.parametrize(
    ("name", "image", "expected"),
    [
        # A black-to-white step to the right: the edge-x feature gives +255 on the edge.
        ("haar edge x", np.tile(np.r_[np.zeros(8), np.full(8, 255.0)], (16, 1)), 255.0),
        ("haar edge y", np.tile(np.r_[np.zeros(8), np.full(8, 255.0)], (16, 1)).T, 255.0),
        # A bright one-pixel line on black: the line features answer where it lies.
        ("haar line x", np.pad(np.full((16, 1), 255.0), ((0, 0), (8, 7))), None),
        ("haar line y", np.pad(np.full((1, 16), 255.0), ((8, 7), (0, 0))), None),
    ],
)
def test_haar_presets_respond_to_their_pattern(name, image, expected, size):
    kernel = kernel_preset(name, size)
    flat = filter2d(np.full((16, 16), 90.0), kernel)
    np.testing.assert_allclose(flat, 0, atol=1e-3)  # zero sum: no response to brightness
    response = filter2d(image, kernel, border="replicate")
    if expected is not None:
        # Centred on the step (between columns 7 and 8, the 0 column lies on one of them).
        assert response.max() == pytest.approx(expected, rel=1e-5)
    else:
        line = 8
        profile = response[line] if name.endswith("y") else response[:, line]
        assert profile.min() > 0  # the line's own row/column responds positively everywhere
        assert response.max() == pytest.approx(profile.max())


def test_haar_four_is_a_checkerboard_detector():
    k = kernel_preset("haar four", 5)
    assert k[0, 0] > 0 and k[-1, -1] > 0 and k[0, -1] < 0 and k[-1, 0] < 0
    np.testing.assert_allclose(k, k.T)
    assert np.all(k[2] == 0) and np.all(k[:, 2] == 0)


# ---------------------------------------------------------------------------------------------
# Max pooling


@pytest.mark.parametrize(("size", "stride"), [(2, None), (2, 1), (3, 2), (3, 3), (1, 1)])
def test_max_pool_matches_a_numpy_reference(gray, size, stride):
    step = stride or size
    out = filters.max_pool(gray, size, stride)
    h, w = gray.shape
    ref = np.array(
        [
            [gray[r : r + size, c : c + size].max() for c in range(0, w - size + 1, step)]
            for r in range(0, h - size + 1, step)
        ]
    )
    np.testing.assert_array_equal(out, ref)
    assert out.shape == (
        filters.framework_output_size(h, size, 0, step),
        filters.framework_output_size(w, size, 0, step),
    )


def test_max_pool_matches_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (11, 9)).astype(np.float32)
    layer = keras.layers.MaxPooling2D(3, strides=2)
    expected = np.asarray(layer(img[None, :, :, None]))[0, :, :, 0]
    np.testing.assert_array_equal(filters.max_pool(img, 3, 2), expected)


@pytest.mark.parametrize(("row", "col"), [(0, 0), (3, 5), (11, 15)])
def test_pooling_step_equals_max_pool(gray, row, col):
    out = filters.max_pool(gray, 4, 4)
    step = filters.pooling_step(gray, row, col, 4, 4)
    assert step.value == out[row, col]
    assert step.patch.shape == (4, 4)
    assert step.patch[step.argmax] == step.value
    assert (step.top, step.left) == (4 * row, 4 * col)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"row": 12, "col": 0, "size": 4}, "between 0 and 11"),
        ({"row": 0, "col": -1, "size": 4}, "between 0 and 15"),
        ({"row": 0.5, "col": 0, "size": 4}, "whole number"),
        ({"row": 0, "col": 0, "size": 0}, "at least 1"),
    ],
)
def test_pooling_step_refuses_bad_positions(gray, kwargs, match):
    with pytest.raises(InputError, match=match):
        filters.pooling_step(gray, **kwargs)


def test_max_pool_refuses_a_window_larger_than_the_image():
    with pytest.raises(InputError, match="larger than the image"):
        filters.max_pool(np.zeros((4, 6)), 5)


# ---------------------------------------------------------------------------------------------
# Output size: floor-aware


def test_resnet_stem_is_explained_not_alarming():
    report = explain_output_size(224, 7, 3, 2)
    assert not report.fits
    assert filters.framework_output_size(224, 7, 3, 2) == 112 == report.floor_size
    assert report.lost_input == 0
    text = report.explanation()
    assert "112" in text and "round down" in text and "padding" in text
    with pytest.raises(InputError, match="stride does not fit"):
        output_size(224, 7, 3, 2)  # the strict contract is unchanged


def test_explanation_names_lost_rows_when_the_image_itself_is_cut():
    report = explain_output_size(32, 5, 0, 2)
    assert report.lost_input == 1 and report.floor_size == 14
    assert "never looked at" in report.explanation()
    assert explain_output_size(32, 5, 2, 1).explanation().startswith("The stride fits")


@pytest.mark.parametrize(
    ("n", "f", "p", "s"), [(224, 7, 3, 2), (32, 3, 1, 1), (33, 4, 0, 3), (10, 3, 0, 4)]
)
def test_framework_output_size_matches_keras(n, f, p, s):
    keras = pytest.importorskip("keras")
    x = np.zeros((1, n + 2 * p, n + 2 * p, 1), np.float32)
    y = keras.layers.MaxPooling2D(f, strides=s, padding="valid")(x)
    assert filters.framework_output_size(n, f, p, s) == y.shape[1]


# ---------------------------------------------------------------------------------------------
# Fitting a Gabor kernel


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
