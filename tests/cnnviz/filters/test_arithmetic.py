"""Output-size arithmetic, strict and floor-aware, against real Keras layers."""

import numpy as np
import pytest

from cnnviz import filters
from cnnviz.errors import InputError
from cnnviz.filters import (
    explain_output_size,
    output_size,
    pool_output_size,
    same_padding,
    window_starts,
)

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
