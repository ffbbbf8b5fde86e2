import numpy as np
import pytest

from cnnviz.datasets import figures as shapes
from cnnviz.errors import InputError


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_same_seed_same_images_other_seed_other_images():
    a = shapes.generate(60, 32, seed=7)
    b = shapes.generate(60, 32, seed=7)
    c = shapes.generate(60, 32, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.images, c.images)


@pytest.mark.parametrize("size", [16, 32, 48])
def test_boxes_are_the_tight_boxes_of_the_masks(size):
    batch = shapes.generate(120, size, seed=1)
    assert batch.boxes.shape == (120, 4)
    assert batch.boxes.dtype == np.int64
    for mask, box in zip(batch.masks, batch.boxes, strict=True):
        assert mask.any()
        assert tuple(box) == _box_of(mask)


def test_without_noise_the_figure_pixels_are_exactly_the_mask():
    batch = shapes.generate(90, 40, seed=3, noise=0)
    background = batch.images[:, :1, :1, :]  # corners never hold the figure
    differs = (batch.images != background).any(axis=-1)
    np.testing.assert_array_equal(differs, batch.masks)
    for img, box in zip(batch.images, batch.boxes, strict=True):
        x0, y0, x1, y1 = box
        outside = np.ones(img.shape[:2], bool)
        outside[y0:y1, x0:x1] = False
        assert (img[outside] == img[0, 0]).all()


def test_figures_lie_inside_the_image_with_a_margin():
    batch = shapes.generate(300, 32, seed=4)
    x0, y0, x1, y1 = batch.boxes.T
    assert (x0 >= 1).all() and (y0 >= 1).all()
    assert (x1 <= 31).all() and (y1 <= 31).all()
    assert ((x1 - x0) >= 5).all()  # never a speck


def test_figure_contrasts_with_background():
    batch = shapes.generate(200, 32, seed=5, noise=0)
    luma = batch.images.astype(float) @ [0.299, 0.587, 0.114]
    for img, mask in zip(luma, batch.masks, strict=True):
        assert abs(img[mask].mean() - img[~mask].mean()) >= 40


@pytest.mark.parametrize("n", [600, 601, 7])
def test_classes_are_balanced(n):
    batch = shapes.generate(n, 24, seed=0)
    counts = np.bincount(batch.labels, minlength=len(shapes.SHAPE_NAMES))
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_classes_subset_grayscale_and_given_labels():
    labels = np.array([0, 1, 1, 0, 1])
    batch = shapes.generate(5, 20, classes=["star", "cross"], grayscale=True, labels=labels)
    assert batch.images.shape == (5, 20, 20, 1)
    assert batch.class_names == ["star", "cross"]
    np.testing.assert_array_equal(batch.labels, labels)
    labels[0] = 1
    assert batch.labels[0] == 0  # the caller's array is not kept


def test_each_figure_has_its_own_look():
    # Mask area relative to the box area separates the figures: a sanity check on drawing.
    batch = shapes.generate(600, 48, seed=2, noise=0)
    fill = []
    for mask, box in zip(batch.masks, batch.boxes, strict=True):
        x0, y0, x1, y1 = box
        fill.append(mask.sum() / ((x1 - x0) * (y1 - y0)))
    fill = np.asarray(fill)
    means = {name: fill[batch.labels == k].mean() for k, name in enumerate(batch.class_names)}
    assert means["circle"] == pytest.approx(np.pi / 4, abs=0.05)
    assert means["star"] < means["triangle"] < means["circle"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": -1}, "between 0 and 200000"),
        ({"n": 4, "image_size": 8}, "between 16 and 256"),
        ({"n": 4, "noise": 0.9}, "noise"),
        ({"n": 4, "classes": ["circle"]}, "at least two"),
        ({"n": 4, "classes": ["circle", "blob"]}, "at least two"),
        ({"n": 2, "labels": [0, 9]}, "labels"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        shapes.generate(**kwargs)


def test_zero_images():
    batch = shapes.generate(0, 32)
    assert batch.images.shape == (0, 32, 32, 3)
    assert batch.boxes.shape == (0, 4)
