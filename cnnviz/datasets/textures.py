"""Textures: patches cut from scikit-image's photos of brick, grass and gravel (offline).

A small real-photo set for transfer learning. Options: ``patch`` (side, 16..128),
``n_per_class`` (training patches per class; a quarter as many test patches), ``seed``.
"""

from __future__ import annotations

import numpy as np

from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.splitting import count
from cnnviz.errors import InputError

TEXTURE_CLASSES = ("brick", "grass", "gravel")


def load_textures(patch, n_per_class, seed) -> Dataset:
    """Random square patches of three 512×512 grayscale photos of scikit-image.

    Training patches lie in the top three quarters of each photo, test patches in the
    bottom quarter, so no test pixel was ever seen in training.
    """
    import skimage.data

    patch, n = int(patch), count(n_per_class, "n_per_class")
    if not 16 <= patch <= 128:
        raise InputError(f"Patch size must be between 16 and 128 pixels, got {patch}.")
    rng = np.random.default_rng(int(seed))
    xs = {"train": [], "test": []}
    ys = {"train": [], "test": []}
    for k, name in enumerate(TEXTURE_CLASSES):
        photo = np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)
        cut = photo.shape[0] * 3 // 4
        regions = {"train": photo[:cut], "test": photo[cut:]}
        for split, k_count in (("train", n), ("test", max(1, n // 4))):
            region = regions[split]
            rows = rng.integers(0, region.shape[0] - patch + 1, k_count)
            cols = rng.integers(0, region.shape[1] - patch + 1, k_count)
            xs[split] += [
                region[r : r + patch, c : c + patch] for r, c in zip(rows, cols, strict=True)
            ]
            ys[split] += [k] * k_count
    x_train = np.stack(xs["train"])[..., None]
    x_test = np.stack(xs["test"])[..., None]
    return Dataset(
        "textures",
        x_train,
        np.asarray(ys["train"], np.int64),
        x_test,
        np.asarray(ys["test"], np.int64),
        list(TEXTURE_CLASSES),
    )


TEXTURES = register(
    DatasetSpec(
        key="textures",
        title="Textures (real photos)",
        help="Patches cut from scikit-image's photos of brick, grass and gravel: a small "
        "real-photo set for transfer learning (test patches come from another part of "
        "each photo).",
        loader=load_textures,
        defaults={"patch": 64, "n_per_class": 80, "seed": 0},
        options=(Option("patch", "Patch size", "select", 64, choices=(32, 48, 64, 96)),),
        training={
            "architecture": "mnist_cnn",
            "epochs": 10,
            "augmentation": {"flip": "horizontal"},
        },
    )
)
