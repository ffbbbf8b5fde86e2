"""The MNIST and Fashion-MNIST networks of the Keras / TensorFlow tutorials (28x28 gray)."""

from __future__ import annotations

from cnnviz.architectures.presets import FLAT, REGISTRY, Preset, conv, dense, dropout, pool

REGISTRY.register(
    Preset(
        key="mnist_cnn",
        title="MNIST CNN",
        help=(
            "The Keras / TensorFlow tutorial network: three 3×3 convolutions (32, 64, 64 filters) "
            "with max pooling, then a 64-unit dense layer."
        ),
        input_shape=(28, 28, 1),
        num_classes=10,
        params=93_322,
        spec=(conv(32), pool(), conv(64), pool(), conv(64), FLAT, dense(64)),
    )
)

REGISTRY.register(
    Preset(
        key="fashion_cnn",
        title="Fashion-MNIST CNN",
        help=("Two 3×3 convolutions with 64 filters and max pooling, then 128 dense units."),
        input_shape=(28, 28, 1),
        num_classes=10,
        params=243_786,
        spec=(conv(64), pool(), conv(64), pool(), FLAT, dense(128)),
    )
)

REGISTRY.register(
    Preset(
        key="fashion_cnn_leaky",
        title="Fashion-MNIST CNN with LeakyReLU and dropout",
        help=(
            "Three 'same' convolutions (32, 64, 128) with LeakyReLU(0.1), 'same' max pooling and "
            "dropout after each block, then 128 dense units: dropout fights overfitting."
        ),
        input_shape=(28, 28, 1),
        num_classes=10,
        params=356_234,
        spec=(
            conv(32, padding="same", activation="leaky_relu"),
            pool(padding="same"),
            dropout(0.25),
            conv(64, padding="same", activation="leaky_relu"),
            pool(padding="same"),
            dropout(0.25),
            conv(128, padding="same", activation="leaky_relu"),
            pool(padding="same"),
            dropout(0.4),
            FLAT,
            dense(128, "leaky_relu"),
            dropout(0.3),
        ),
    )
)
