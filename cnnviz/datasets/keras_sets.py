"""MNIST, Fashion-MNIST and CIFAR-10: downloaded once into the Keras cache (:mod:`.keras_files`).

Options: ``n_train`` / ``n_test`` (random subsets, None = all), ``seed``, and ``progress`` (a
callable ``progress(fraction or None, message)`` told about the download).
"""

from __future__ import annotations

from cnnviz.datasets import keras_files
from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.spec import DatasetSpec, Option, register
from cnnviz.datasets.splitting import subset

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR10_CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
_CLASSES = {"mnist": [str(i) for i in range(10)], "fashion_mnist": FASHION_CLASSES}


def _load(name, n_train, n_test, seed, progress=None) -> Dataset:
    (x_train, y_train), (x_test, y_test) = keras_files.load_arrays(name, progress=progress)
    x_train, y_train = subset(x_train, y_train, n_train, [int(seed), 0], "n_train")
    x_test, y_test = subset(x_test, y_test, n_test, [int(seed), 1], "n_test")
    names = _CLASSES.get(name, CIFAR10_CLASSES)
    return Dataset(name, x_train, y_train, x_test, y_test, list(names))


def _spec(key: str, title: str, text: str, training: dict) -> DatasetSpec:
    def loader(**options) -> Dataset:
        return _load(key, **options)

    return register(
        DatasetSpec(
            key=key,
            title=title,
            help=text,
            loader=loader,
            defaults={"n_train": None, "n_test": None, "seed": 0},
            options=(
                Option(
                    "n_train",
                    "Training images (a random subset trains faster)",
                    "select",
                    "all",
                    choices=(5000, 10000, 20000, 50000, "all"),
                    key="n",
                    none_choice="all",
                    preset="images",
                ),
            ),
            training=training,
            remote=keras_files.SOURCES[key],
            # Looked up when called, so a test may replace keras_files.is_cached.
            is_cached=lambda: keras_files.is_cached(key),
            small={"n_train": 1},
        )
    )


MNIST = _spec(
    "mnist",
    "MNIST",
    "70,000 handwritten digits, 28×28 grayscale.",
    {"architecture": "mnist_cnn", "epochs": 3, "batch_size": 64},
)
FASHION_MNIST = _spec(
    "fashion_mnist",
    "Fashion-MNIST",
    "70,000 photos of clothes in 10 classes, 28×28 grayscale.",
    {"architecture": "fashion_cnn", "epochs": 3, "batch_size": 64},
)
CIFAR10 = _spec(
    "cifar10",
    "CIFAR-10",
    "60,000 small colour photos of planes, cars, birds, cats... in 10 classes, 32×32.",
    {
        "architecture": "cifar10_cnn",
        "epochs": 10,
        "batch_size": 200,  # the course's augmented CIFAR-10 run
        "augmentation": {"flip": "horizontal", "width_shift": 0.1, "height_shift": 0.1},
    },
)
