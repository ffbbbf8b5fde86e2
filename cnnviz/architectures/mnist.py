"""The MNIST and Fashion-MNIST networks of the Keras / TensorFlow tutorials (28x28 gray)."""

from __future__ import annotations

from cnnviz.architectures.presets import _FLAT, REGISTRY, Preset, _conv, _dense, _dropout, _pool

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
        spec=(_conv(32), _pool(), _conv(64), _pool(), _conv(64), _FLAT, _dense(64)),
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
        spec=(_conv(64), _pool(), _conv(64), _pool(), _FLAT, _dense(128)),
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
            _conv(32, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.25),
            _conv(64, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.25),
            _conv(128, padding="same", activation="leaky_relu"),
            _pool(padding="same"),
            _dropout(0.4),
            _FLAT,
            _dense(128, "leaky_relu"),
            _dropout(0.3),
        ),
    )
)
