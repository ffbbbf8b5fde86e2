"""Classic kernels: shapes and sums, equal to OpenCV, Haar-like features."""

import cv2
import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    KERNEL_PRESETS,
    filter2d,
    kernel_preset,
)


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


@pytest.mark.parametrize("preset", filters.PRESETS.available(), ids=lambda p: p.key)
def test_every_registered_preset_is_listed_explained_and_built(preset):
    assert preset.key in KERNEL_PRESETS and preset.help == filters.PRESET_NOTES[preset.key]
    assert preset.help.endswith(".") and preset.title
    for size in filters.PRESET_SIZES:
        k = kernel_preset(preset.key.upper(), size)  # names are case-insensitive
        assert k.shape == (size, size) and k.dtype == np.float32 and k.flags.c_contiguous
        np.testing.assert_array_equal(k, np.float32(preset.build(size)))


def test_unknown_presets_list_the_choices():
    with pytest.raises(InputError, match="choose one of identity, box blur"):
        kernel_preset("blur")
    with pytest.raises(InputError, match="choose one of"):
        filters.PRESETS.get("blur")
