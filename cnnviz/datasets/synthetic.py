"""Synthetic shapes: ``shapes`` to classify, and ``find_shapes`` to check where a network looks.

Both are drawn by :mod:`cnnviz.datasets.figures` and know the box of every figure. Test images
come from another seed stream than training images, so changing ``n_train`` leaves them
alone.

Options: ``image_size`` (16..256), ``n_train``, ``n_test``, ``seed``, ``noise`` (0..0.5),
``grayscale``, ``classes`` (a subset of the figure names); ``find_shapes`` also ``radius``
((low, high) figure size as a fraction of the side, default 0.1..0.2) and ``clutter``
(distractor strokes per image, default 8), 64×64 by default.
"""

from __future__ import annotations

from cnnviz.datasets import figures
from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.splitting import count


def figures_dataset(
    image_size,
    n_train,
    n_test,
    seed,
    noise,
    grayscale,
    classes=None,
    radius=None,
    clutter=0,
    name="shapes",
) -> Dataset:
    """Figures drawn by :mod:`cnnviz.datasets.figures`, with their boxes.

    Args:
        image_size: Side of the square images in pixels.
        n_train: Training images (a count, checked).
        n_test: Test images, from another seed stream than training images.
        seed: Seed of both streams.
        noise: Pixel noise, 0..0.5.
        grayscale: One channel instead of three.
        classes: Figure names to draw (None: all).
        radius: (low, high) figure size as a fraction of the side (None: the default).
        clutter: Distractor strokes per image.
        name: The dataset's name.

    Returns:
        The dataset: ``x_*`` of shape (N, image_size, image_size, C), ``boxes_*`` (N, 4).
    """
    n_train, n_test = count(n_train, "n_train"), count(n_test, "n_test")
    kwargs = {"noise": noise, "classes": classes, "grayscale": grayscale, "clutter": clutter}
    if radius is not None:
        kwargs["radius"] = tuple(radius)
    # Test images come from a different seed stream so that changing n_train leaves them alone.
    train = figures.generate(n_train, image_size, seed=[int(seed), 0], **kwargs)
    test = figures.generate(n_test, image_size, seed=[int(seed), 1], **kwargs)
    return Dataset(
        name=name,
        x_train=train.images,
        y_train=train.labels,
        x_test=test.images,
        y_test=test.labels,
        class_names=list(train.class_names),
        boxes_train=train.boxes,
        boxes_test=test.boxes,
    )


def load_shapes(**options) -> Dataset:
    """Figures filling a good part of the image (see the module's options)."""
    return figures_dataset(name="shapes", **options)


def load_find_shapes(**options) -> Dataset:
    """Small figures among clutter (see the module's options)."""
    return figures_dataset(name="find_shapes", **options)


def _test_share(options: dict) -> dict:
    """A quarter as many test images as training images, at least 300."""
    return {"n_test": max(300, int(options["n_train"]) // 4)}


_COMMON = {"n_train": 4800, "n_test": 1200, "seed": 0, "noise": 0.05, "grayscale": False}
_N_TRAIN = Option(
    "n_train",
    "Training images",
    "select",
    4800,
    choices=(600, 1200, 2400, 4800, 9600),
    help="More images: slower epochs, better accuracy.",
    key="n",
    preset="images",
)
_NOISE = Option("noise", "Noise", "slider", 0.05, low=0.0, high=0.3, step=0.01, preset="noise")

SHAPES = register(
    DatasetSpec(
        key="shapes",
        title="Synthetic shapes",
        help="Circles, squares, triangles, stars, crosses and ellipses at random places, "
        "sizes and colours on noisy backgrounds. Each image knows where its shape is.",
        loader=load_shapes,
        defaults={"image_size": 32, **_COMMON},
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
            _N_TRAIN,
            _NOISE,
        ),
        extra_options=frozenset({"classes"}),
        derived=_test_share,
        training={"architecture": "mnist_cnn", "epochs": 10, "learning_rate": 2e-3},
        has_boxes=True,
        small={"n_train": 1, "n_test": 120},
    )
)

FIND_SHAPES = register(
    DatasetSpec(
        key="find_shapes",
        title="Find the shape",
        help="Small shapes (a tenth to a fifth of the side) among stray lines on 64×64 noisy "
        "backgrounds: the network must find the figure, so heatmaps can be checked.",
        loader=load_find_shapes,
        defaults={"image_size": 64, **_COMMON, "radius": (0.1, 0.2), "clutter": 8},
        options=(
            _N_TRAIN,
            _NOISE,
            Option(
                "clutter",
                "Stray lines",
                "slider",
                8,
                low=0,
                high=16,
                step=1,
                help="Distractor strokes drawn in every image.",
            ),
        ),
        extra_options=frozenset({"classes"}),
        derived=_test_share,
        # Small figures among clutter: a CAM-style network.
        training={"architecture": "cam_cnn", "epochs": 15, "learning_rate": 3e-3},
        has_boxes=True,
        small={"n_train": 1, "n_test": 120},
    )
)
