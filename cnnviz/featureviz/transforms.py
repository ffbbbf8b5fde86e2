"""Random transforms every optimisation step sees (transformation robustness, Lucid).

A pattern that survives being shifted, scaled and turned a little on every step is a
pattern the filter really responds to, not high-frequency noise tuned to one pixel grid.
Lucid's pad, jitter, scale and rotate are folded here into one warp
(:class:`RandomAffine`), so the image is resampled once per step.

A transform draws its per-step parameters for one image up front (``sample``, numpy, from
that image's own random stream) and applies a step's parameters to a batch with
``keras.ops`` (``apply``, differentiable).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np


def border(size: int) -> int:
    """Grey padding (pixels per side) around a ``size`` image during the Fourier recipe."""
    return max(1, round(0.05 * size))


def random_affine(
    rng: np.random.Generator, steps: int, size: int, side: float | None = None
) -> np.ndarray:
    """Per-step random transforms for one image, as ``affine_transform`` rows (steps, 8).

    Lucid's robustness set on the grey-padded canvas (``size + 2 * border``), folded into
    one warp: a shift by whole pixels (up to ~8% of the network's input side ``side``,
    default ``size``), a scale of 0.9..1.1 and a rotation of -10..10 degrees about the
    centre. Lucid's magnitudes suit networks of 128 px and more; smaller networks (32-px
    inputs, small receptive fields) get proportionally gentler scale and rotation, and a
    shift of 1-3 pixels, so that fine patterns survive the resampling.
    """
    side = float(size if side is None else side)
    strength = min(1.0, side / 128)
    canvas = size + 2 * border(size)
    zoom = rng.uniform(1 - 0.1 * strength, 1 + 0.1 * strength, steps)
    angle = np.deg2rad(rng.uniform(-10 * strength, 10 * strength, steps))
    jitter = max(1, round(0.08 * side))
    shift = rng.integers(-jitter, jitter + 1, (steps, 2)).astype(np.float64)
    centre = (canvas - 1) / 2.0
    cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
    # Output pixel p maps to input pixel A (p - c - t) + c with A = R(-angle) / zoom.
    ox = centre + shift[:, 0]
    oy = centre + shift[:, 1]
    a0, a1 = cos, sin
    b0, b1 = -sin, cos
    a2 = centre - (a0 * ox + a1 * oy)
    b2 = centre - (b0 * ox + b1 * oy)
    zeros = np.zeros(steps)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(np.float32)


@dataclass(frozen=True)
class RandomAffine:
    """Grey padding, then a random shift, scale and rotation about the centre, one warp.

    Magnitudes as :func:`random_affine` (Lucid's, gentler for small networks).
    """

    width: int = 8  # parameters per step: one ``affine_transform`` row

    def sample(
        self, rng: np.random.Generator, steps: int, size: int, side: float | None = None
    ) -> np.ndarray:
        """(steps, 8) float32 warps for one image (see :func:`random_affine`)."""
        return random_affine(rng, steps, size, side)

    def apply(self, images, params, size: int):
        """Warp a batch: images (N, size, size, 3) in [0, 1], params (N, 8) → same shape."""
        ops = keras.ops
        pad = border(size)
        # Grey padding, so that the image's edges are not special (Lucid's pad).
        images = ops.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), constant_values=0.5)
        images = ops.image.affine_transform(
            images,
            params,
            interpolation="bilinear",
            fill_mode="constant",
            fill_value=0.5,
            data_format="channels_last",
        )
        # The network sees the transformed image at its own size: the grey margin only
        # comes in where a shift, zoom or turn brings it (fewer pixels to run, same effect).
        return images[:, pad : pad + size, pad : pad + size]
