"""The tiny model the feature-visualization tests share."""

import keras
import pytest

L = keras.layers


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(1)
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(4, 1, name="colour"),  # linear 1x1: a colour detector per filter
            L.Conv2D(6, 3, activation="relu", name="c2"),
            L.GlobalAveragePooling2D(name="gap"),
            L.Dense(3, activation="softmax", name="predictions"),
        ]
    )
