"""Networks made to be looked into: CNN Explainer's Tiny VGG and a CAM network."""

from __future__ import annotations

from cnnviz.architectures.presets import BN, FLAT, REGISTRY, Preset, conv, pool

REGISTRY.register(
    Preset(
        key="tiny_vgg",
        title="Tiny VGG (CNN Explainer)",
        help=(
            "The network of CNN Explainer: two blocks of two 3×3 convolutions with 10 filters "
            "and max pooling, then straight to the output."
        ),
        input_shape=(64, 64, 3),
        num_classes=10,
        params=19_920,
        spec=(conv(10), conv(10), pool(), conv(10), conv(10), pool(), FLAT),
    )
)

REGISTRY.register(
    Preset(
        key="cam_cnn",
        title="CAM network (global average pooling)",
        help=(
            "Four 'same' 3×3 convolutions (16, 32, 64, 64) with batch normalisation and max "
            "pooling between them, then "
            "global average pooling straight into the output, as in Zhou et al.'s CAM: every "
            "map keeps its place in the image, so Grad-CAM shows where the evidence is."
        ),
        input_shape=(64, 64, 3),
        num_classes=6,
        params=61_606,
        spec=(
            conv(16, padding="same"),
            BN,
            pool(),
            conv(32, padding="same"),
            BN,
            pool(),
            conv(64, padding="same"),
            BN,
            pool(),
            conv(64, padding="same"),
            BN,
            {"type": "globalavgpool"},
        ),
    )
)
