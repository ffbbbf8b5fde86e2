"""scikit-learn's 8×8 handwritten digits and scikit-image's faces vs non-faces (offline).

Options: ``upscale`` (side in pixels, or None for the native 8 / 25; upscaled digits are
framed like MNIST, the digit filling the central 20/28 on black), ``test_fraction``, ``seed``.
"""

from __future__ import annotations

import numpy as np

from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.splitting import split_dataset
from cnnviz.images.geometry import resize_batch


def load_digits(upscale, test_fraction, seed) -> Dataset:
    """The 1,797 digits, stretched from 0..16 to 0..255 and framed like MNIST."""
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    # Pixel values are 0..16 (counts of set pixels in 4×4 blocks); stretch to 0..255.
    x = np.round(bunch.images * (255 / 16)).astype(np.uint8)
    y = bunch.target.astype(np.int64)
    names = [str(i) for i in range(10)]
    # Framed like MNIST: the digit fills the central 20/28 of the image, on black.
    x = resize_batch(x, upscale, inner=20 / 28)
    return split_dataset("digits", x, y, names, test_fraction, seed)


def load_faces(upscale, test_fraction, seed) -> Dataset:
    """100 faces (class 1) and 100 non-faces (class 0), 25×25 gray, optionally upscaled."""
    from skimage.data import lfw_subset

    images = lfw_subset()  # (200, 25, 25) float in 0..1: 100 faces, then 100 non-faces
    x = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    y = np.where(np.arange(len(x)) < 100, 1, 0).astype(np.int64)
    names = ["non-face", "face"]
    return split_dataset("faces", resize_batch(x, upscale), y, names, test_fraction, seed)


def _upscale(native: int, default: int) -> Option:
    return Option(
        "upscale",
        "Image size (upscaled)",
        "select",
        default,
        choices=(native, 28, 32, 48),
        key="size",
        none_choice=native,
        preset="size",
    )


DIGITS = register(
    DatasetSpec(
        key="digits",
        title="Digits (8×8)",
        help="1,797 small handwritten digits from scikit-learn, upscaled and framed like MNIST.",
        loader=load_digits,
        defaults={"upscale": 28, "test_fraction": 0.2, "seed": 0},
        options=(_upscale(8, 28),),
        training={
            "architecture": "mnist_cnn",
            "epochs": 20,
            "learning_rate": 2e-3,
            "augmentation": {"width_shift": 0.1, "height_shift": 0.1},
        },
    )
)

FACES = register(
    DatasetSpec(
        key="faces",
        title="Faces vs non-faces",
        help="200 tiny grayscale crops from scikit-image: 100 faces and 100 background patches.",
        loader=load_faces,
        defaults={"upscale": 32, "test_fraction": 0.2, "seed": 0},
        options=(_upscale(25, 32),),
        training={"architecture": "mnist_cnn", "epochs": 15, "validation_split": 0.15},
        small={"upscale": None},
    )
)
