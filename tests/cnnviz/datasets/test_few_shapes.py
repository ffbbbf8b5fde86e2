"""Few shapes in clutter: the Transfer page's dataset, where the three ways differ."""

import numpy as np
import pytest

from cnnviz import datasets, training, transfer
from cnnviz.datasets import figures
from cnnviz.errors import InputError


def test_registered_offline_and_the_transfer_pages_default():
    info = next(i for i in datasets.available() if i.name == "few_shapes")
    assert info.offline and info.cached and info.title and info.description
    assert transfer.DEFAULT_DATASET == "few_shapes"
    assert training.recommended_config("few_shapes").architecture == "mnist_cnn"


def test_default_load_has_the_stated_class_and_test_counts():
    ds = datasets.load("few_shapes")
    assert ds.class_names == list(figures.SHAPE_NAMES)  # 6 classes
    assert ds.x_train.shape == (120, 64, 64, 3) and ds.x_train.dtype == np.uint8
    # 20 training images per class: too few to learn shapes from nothing.
    assert ds.class_counts("train") == {name: 20 for name in ds.class_names}
    # 180 test images, 30 per class: one error is 0.56 %, under 2 %.
    assert ds.x_test.shape == (180, 64, 64, 3)
    assert ds.class_counts("test") == {name: 30 for name in ds.class_names}
    assert ds.boxes_test.shape == (180, 4)
    assert ds.options == dict(datasets.get("few_shapes").defaults)


def test_deterministic_per_seed_and_test_set_apart_from_training():
    a = datasets.load("few_shapes", seed=3)
    b = datasets.load("few_shapes", seed=3)
    c = datasets.load("few_shapes", seed=4)
    for name in ("x_train", "y_train", "x_test", "y_test", "boxes_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)
    assert not np.array_equal(a.x_test, c.x_test)
    more = datasets.load("few_shapes", n_train=240, seed=3)
    assert len(more.x_train) == 240
    np.testing.assert_array_equal(more.x_test, a.x_test)  # n_train leaves the test set alone


def test_small_figures_among_clutter():
    ds = datasets.load("few_shapes")
    boxes = ds.boxes_train
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    assert side.max() < 64 * 0.85 and side.min() > 64 * 0.2
    # Stray lines outside the figure: the background is not one flat colour.
    x0, y0, x1, y1 = boxes[0]
    outside = np.ones(ds.x_train.shape[1:3], bool)
    outside[y0:y1, x0:x1] = False
    assert ds.x_train[0][outside].std() > 20


@pytest.mark.parametrize(
    "options, match",
    [({"n_train": 0}, "at least 1"), ({"n_test": 0}, "at least 1"), ({"size": 3}, "no option")],
)
def test_bad_options_are_refused(options, match):
    with pytest.raises(InputError, match=match):
        datasets.load("few_shapes", **options)
