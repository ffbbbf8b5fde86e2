"""A tiny model the attribution tests share."""

import keras
import pytest

L = keras.layers


@pytest.fixture
def gap_model():
    """Two 3x3 convolutions, global average pooling and a linear head (a fresh one per test)."""
    return _gap_model()


def _gap_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
            L.Conv2D(4, 3, padding="same", activation="relu", name="c2"),
            L.GlobalAveragePooling2D(),
            L.Dense(2, name="out"),
        ]
    )
