"""Sobel gradients and the direction colours."""

import math

import cv2
import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    direction_rgb,
    sobel,
)


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
