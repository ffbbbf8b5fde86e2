"""Networks for small colour photos: cats vs dogs (Chollet) and the Keras CIFAR-10 example."""

from __future__ import annotations

from cnnviz.architectures.presets import FLAT, REGISTRY, Preset, conv, dense, dropout, pool

REGISTRY.register(
    Preset(
        key="cats_vs_dogs_cnn",
        title="Cats vs dogs CNN",
        help=(
            "Chollet's small-data network: four convolutions (32, 64, 128, 128) with max pooling, "
            "dropout 0.5 and 512 dense units, ending in one sigmoid unit for two classes."
        ),
        input_shape=(150, 150, 3),
        num_classes=2,
        params=3_453_121,
        spec=(
            conv(32),
            pool(),
            conv(64),
            pool(),
            conv(128),
            pool(),
            conv(128),
            pool(),
            FLAT,
            dropout(0.5),
            dense(512),
        ),
    )
)

REGISTRY.register(
    Preset(
        key="cifar10_cnn",
        title="CIFAR-10 CNN",
        help=(
            "The Keras CIFAR-10 example: three blocks of a 'same' and a 'valid' 3×3 convolution "
            "(32, 64, 64 filters), max pooling and dropout, then 512 dense units."
        ),
        input_shape=(32, 32, 3),
        num_classes=10,
        params=276_138,
        spec=(
            conv(32, padding="same"),
            conv(32),
            pool(),
            dropout(0.25),
            conv(64, padding="same"),
            conv(64),
            pool(),
            dropout(0.25),
            conv(64, padding="same"),
            conv(64),
            pool(),
            dropout(0.25),
            FLAT,
            dense(512),
            dropout(0.5),
        ),
    )
)
