"""Baselines that show why convolutions matter: an MLP on the flattened pixels."""

from __future__ import annotations

from cnnviz.architectures.presets import FLAT, REGISTRY, Preset, dense, dropout

REGISTRY.register(
    Preset(
        key="mlp",
        title="MLP baseline (no convolutions)",
        help=(
            "LearnOpenCV's feedforward network: two dense layers of 512 units on the flattened "
            "pixels, with dropout 0.5 after each. Many more parameters than a CNN and no "
            "notion of neighbouring pixels, to show why convolutions matter. The course "
            "trains it first without dropout (Override dropout, rate 0), then with 0.5."
        ),
        input_shape=(28, 28, 1),
        num_classes=10,
        params=669_706,
        spec=(FLAT, dense(512), dropout(0.5), dense(512), dropout(0.5)),
    )
)
