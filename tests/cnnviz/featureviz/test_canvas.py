"""The periodic canvas and the effective receptive field."""

import keras
import numpy as np

from cnnviz import featureviz, models

L = keras.layers


def test_fourier_pictures_repeat_their_period_seamlessly():
    keras.utils.set_random_seed(0)  # the field depends on the weights: not on test order
    # A 2-conv stack has a 5-pixel field: a 96-px picture is one 64-px period, repeated.
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="a"),
            keras.layers.Conv2D(4, 3, padding="same", name="b"),
        ]
    )
    assert featureviz.effective_receptive_field(model, "b", 96) <= 5
    assert featureviz.periodic_canvas(model, "b", 96) == featureviz.MIN_CANVAS
    assert featureviz.periodic_canvas(model, "b", 48) == 48  # small pictures stay whole
    assert featureviz.optimised_side(model, "b", 96) == featureviz.MIN_CANVAS
    assert featureviz.optimised_side(model, "b", 96, method="naive") == 96
    pics = featureviz.visualize_filters(model, "b", [0, 1], steps=4, size=96)
    assert pics.shape == (2, 96, 96, 3)
    np.testing.assert_array_equal(pics[:, 64:], pics[:, :32])
    np.testing.assert_array_equal(pics[:, :, 64:], pics[:, :, :32])
    naive = featureviz.visualize_filters(model, "b", [0], steps=2, size=96, method="naive")
    assert not np.array_equal(naive[:, 64:], naive[:, :32])  # pixel space: not periodic


def test_effective_field_is_inside_the_theoretical_one():
    keras.utils.set_random_seed(0)  # the field depends on the weights: not on test order
    model = keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            keras.layers.Conv2D(2, 5, padding="same", activation="relu", name="a"),
            keras.layers.MaxPooling2D(2, name="p"),
            keras.layers.Conv2D(2, 5, padding="same", name="b"),
        ]
    )
    theory = models.receptive_field(model, "b").size[0]  # 5, +1 for the pool, + 4 * 2 = 14
    erf = featureviz.effective_receptive_field(model, "b", 64)
    assert theory == 14 and 3 <= erf <= theory + 1  # the square is centred: an odd side
