"""Oriented stripes: gratings at four angles, the dataset of the Gabor lesson (offline).

Each image is a sine grating ``0.5 + c/2 · cos(2π (x cos θ + y sin θ) / λ + φ)`` whose angle
θ is the class (0°, 45°, 90° or 135°, give or take ``jitter`` degrees), with a random
wavelength λ (4 to 10 pixels), phase φ and contrast c, plus Gaussian noise. Nothing but the
orientation tells the classes apart, so a network trained on it grows first-layer filters
that are oriented edge and bar detectors: the Gabor kernels of the Filters page, which
``cnnviz.filters.fit_gabor`` then finds in the trained network.

Options: ``image_size`` (16..128), ``n_train`` and ``n_test`` (images, balanced over the
classes), ``noise`` (standard deviation in 0..1 pixel units, 0..0.5), ``jitter`` (degrees,
0..20), ``seed``.
"""

from __future__ import annotations

import numpy as np

from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.splitting import count
from cnnviz.errors import InputError

#: The classes: the direction θ across the stripes, in degrees from the x axis (rows go
#: down), as the ``theta`` of ``cnnviz.filters.gabor_kernel`` and OpenCV's getGaborKernel:
#: 0° gives vertical stripes, 90° horizontal ones.
ANGLES = (0, 45, 90, 135)
CLASS_NAMES = tuple(f"{a}°" for a in ANGLES)


def gratings(
    n: int, size: int, *, noise: float, jitter: float, seed
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy gratings, classes in turn (balanced), in a random order.

    Returns:
        images (n, size, size, 1) uint8 in 0..255, labels (n,) int64 indices into ANGLES.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(ANGLES)).astype(np.int64)
    theta = np.deg2rad(np.asarray(ANGLES, np.float64)[labels] + rng.uniform(-jitter, jitter, n))
    wavelength = rng.uniform(4.0, 10.0, n)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    contrast = rng.uniform(0.5, 1.0, n)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    # Distance along the grating's normal, per image: (n, size, size).
    along = xx[None] * np.cos(theta)[:, None, None] + yy[None] * np.sin(theta)[:, None, None]
    wave = np.cos(2 * np.pi * along / wavelength[:, None, None] + phase[:, None, None])
    x = 0.5 + 0.5 * contrast[:, None, None] * wave
    x += rng.normal(0.0, noise, x.shape)
    images = np.clip(np.round(x * 255), 0, 255).astype(np.uint8)[..., None]
    return images, labels


def load_stripes(image_size, n_train, n_test, noise, jitter, seed) -> Dataset:
    """Training and test gratings from separate seed streams (see the module's options)."""
    size = int(image_size)
    if not 16 <= size <= 128:
        raise InputError(f"Image size must be between 16 and 128 pixels, got {image_size}.")
    if not 0 <= float(noise) <= 0.5:
        raise InputError(f"Noise must be between 0 and 0.5, got {noise}.")
    if not 0 <= float(jitter) <= 20:
        raise InputError(f"Jitter must be between 0 and 20 degrees, got {jitter}.")
    n_train, n_test = count(n_train, "n_train"), count(n_test, "n_test")
    kwargs = {"noise": float(noise), "jitter": float(jitter)}
    x_train, y_train = gratings(n_train, size, seed=[int(seed), 0], **kwargs)
    x_test, y_test = gratings(n_test, size, seed=[int(seed), 1], **kwargs)
    return Dataset("stripes", x_train, y_train, x_test, y_test, list(CLASS_NAMES))


STRIPES = register(
    DatasetSpec(
        key="stripes",
        title="Oriented stripes",
        help="Stripes at 0°, 45°, 90° and 135° with random widths, phases and noise: only "
        "the angle tells the classes apart, which is what a Gabor kernel of the Filters "
        "page at that θ picks out (try a Gabor first layer).",
        loader=load_stripes,
        defaults={
            "image_size": 32,
            "n_train": 1200,
            "n_test": 400,
            "noise": 0.1,
            "jitter": 10.0,
            "seed": 0,
        },
        options=(
            Option(
                "image_size",
                "Image size",
                "select",
                32,
                choices=(24, 32, 48, 64),
                key="size",
                preset="size",
            ),
            Option(
                "noise",
                "Noise",
                "slider",
                0.1,
                low=0.0,
                high=0.5,
                step=0.05,
                help="Gaussian noise added to every pixel (0..1 pixel units).",
            ),
        ),
        training={"architecture": "mnist_cnn", "epochs": 5, "learning_rate": 2e-3},
        small={"n_train": 4, "n_test": 40},
    )
)
