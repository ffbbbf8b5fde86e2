"""Few shapes in clutter: the transfer lesson's dataset, where the three ways differ.

The six figures of :mod:`cnnviz.datasets.figures` (circle, square, triangle, star, cross,
ellipse), a fifth to two fifths of the side, among 18 stray lines in random colours and
pixel noise, on 64×64 colour images, with only 20 training images per class (120 in all)
and 30 test images per class (180, so one error is 0.56 %).

Why the three ways of the Transfer page differ on it (``bench/transfer_ways.py``):

- **from scratch** a small CNN must learn edges, corners and shapes from 20 examples of
  each, with the stray lines drawing edges and corners everywhere: it stays near chance;
- **features**: the ImageNet base already answers to edges, corners, blobs and outlines, so
  a head on its frozen features separates most figures, but the global average over the
  image mixes the figure with the stray lines, so some stay wrong;
- **fine-tuning** adapts the base's top layers to these figures and this clutter, and gets
  most of those right too.

Options: ``n_train`` (training images, balanced over the classes), ``n_test``, ``seed``.
Test images come from another seed stream than training images, so changing ``n_train``
leaves them alone. Every image knows its figure's box (as ``shapes``), so the Grad-CAM page
can check where a transfer model looks.
"""

from __future__ import annotations

from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.synthetic import figures_dataset

IMAGE_SIZE = 64
NOISE = 0.1
CLUTTER = 18
RADIUS = (0.2, 0.4)


def load_few_shapes(n_train, n_test, seed) -> Dataset:
    """Figures among stray lines, ``n_train`` and ``n_test`` images (see the module)."""
    return figures_dataset(
        IMAGE_SIZE, n_train, n_test, seed, NOISE, grayscale=False, radius=RADIUS,
        clutter=CLUTTER, name="few_shapes",
    )  # fmt: skip


FEW_SHAPES = register(
    DatasetSpec(
        key="few_shapes",
        title="Few shapes in clutter (transfer)",
        help="Six figures among stray lines and noise, with only 20 training images per "
        "class: too few to learn shapes from scratch, enough for a pretrained base. "
        "180 test images, so a single error is 0.56 %.",
        loader=load_few_shapes,
        defaults={"n_train": 120, "n_test": 180, "seed": 0},
        options=(
            Option(
                "n_train",
                "Training images",
                "select",
                120,
                choices=(60, 120, 240, 480),
                help="All six classes together. More images: the scratch network catches "
                "up, slowly.",
                key="n",
            ),
        ),
        # The Train page's network from scratch: a fair try, with augmentation and enough
        # epochs for 4 batches an epoch.
        training={
            "architecture": "mnist_cnn",
            "epochs": 30,
            "learning_rate": 2e-3,
            "augmentation": {"flip": "horizontal", "rotation_deg": 20},
        },
        has_boxes=True,
        small={"n_train": 6, "n_test": 60},
    )
)
