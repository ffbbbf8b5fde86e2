import numpy as np
import pytest

from cnnviz import datasets
from cnnviz.errors import InputError


@pytest.fixture(autouse=True)
def _empty_keras_cache(tmp_path, monkeypatch):
    """No real Keras cache is consulted, so `cached` flags do not depend on this machine."""
    from cnnviz.datasets import keras_files as kerasdata

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(kerasdata, "FALLBACK_HOME", tmp_path / "tmp-keras")


def _check_dataset(ds: datasets.Dataset, shape, num_classes):
    assert ds.input_shape == shape
    assert ds.num_classes == num_classes
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.uint8 and x.ndim == 4
        assert x.shape[1:] == shape
        assert y.dtype == np.int64 and y.shape == (len(x),)
        assert y.min() >= 0 and y.max() < num_classes
    assert set(np.unique(ds.y_train)) == set(range(num_classes))


def test_available_lists_offline_sets_first():
    infos = datasets.available()
    names = [i.name for i in infos]
    known = ["shapes", "find_shapes", "digits", "faces", "textures"]
    assert names[:5] == known  # then any offline set added since, then the downloads
    assert names[-3:] == ["mnist", "fashion_mnist", "cifar10"]
    offline = [i.offline for i in infos]
    assert offline == sorted(offline, reverse=True)
    assert offline.count(False) == 3
    assert all(i.cached for i in infos if i.offline)
    assert not any(i.cached for i in infos if not i.offline)  # empty cache here
    assert all(i.title and i.description for i in infos)
    assert all(i.download_mb > 0 for i in infos if not i.offline)


@pytest.mark.parametrize(
    "name, options, shape, num_classes, total",
    [
        ("shapes", {"n_train": 120, "n_test": 60}, (32, 32, 3), 6, 180),
        (
            "shapes",
            {"n_train": 40, "n_test": 20, "image_size": 48, "grayscale": True},
            (48, 48, 1),
            6,
            60,
        ),
        (
            "shapes",
            {"n_train": 40, "n_test": 20, "classes": ["circle", "square"]},
            (32, 32, 3),
            2,
            60,
        ),
        ("digits", {}, (28, 28, 1), 10, 1797),
        ("digits", {"upscale": None}, (8, 8, 1), 10, 1797),
        ("faces", {}, (32, 32, 1), 2, 200),
        ("faces", {"upscale": None}, (25, 25, 1), 2, 200),
    ],
)
def test_offline_datasets_load_with_right_shapes(name, options, shape, num_classes, total):
    ds = datasets.load(name, **options)
    _check_dataset(ds, shape, num_classes)
    assert len(ds.x_train) + len(ds.x_test) == total
    assert ds.name == name


def test_shapes_have_boxes_and_balanced_splits():
    ds = datasets.load("shapes", n_train=120, n_test=60, image_size=32)
    assert ds.boxes_train.shape == (120, 4) and ds.boxes_test.shape == (60, 4)
    assert set(ds.class_counts("train").values()) == {20}
    assert set(ds.class_counts("test").values()) == {10}
    assert ds.class_names[:3] == ["circle", "square", "triangle"]


def test_options_reload_the_same_dataset():
    ds = datasets.load("shapes", n_train=30, n_test=12, seed=5)
    again = datasets.load(ds.name, **ds.options)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    np.testing.assert_array_equal(ds.boxes_test, again.boxes_test)
    assert ds.options["seed"] == 5 and ds.options["n_train"] == 30


def test_shapes_test_set_does_not_depend_on_training_size():
    small = datasets.load("shapes", n_train=12, n_test=18, seed=1)
    large = datasets.load("shapes", n_train=60, n_test=18, seed=1)
    np.testing.assert_array_equal(small.x_test, large.x_test)
    assert not np.array_equal(
        datasets.load("shapes", n_train=12, n_test=18, seed=2).x_test, small.x_test
    )


def test_digits_are_scaled_to_full_range_and_split_stratified():
    ds = datasets.load("digits", upscale=None, test_fraction=0.25, seed=3)
    assert ds.x_train.max() == 255 and ds.x_train.min() == 0
    test_counts = np.array(list(ds.class_counts("test").values()))
    train_counts = np.array(list(ds.class_counts("train").values()))
    share = test_counts / (test_counts + train_counts)
    assert np.all(np.abs(share - 0.25) < 0.02)
    # The 8×8 original, stretched from 0..16: every value is a multiple of 255/16, rounded.
    from sklearn.datasets import load_digits

    raw = load_digits().images
    allowed = set(np.round(np.arange(17) * 255 / 16).astype(int))
    assert set(np.unique(ds.x_train).tolist()) <= allowed
    assert len(raw) == len(ds.x_train) + len(ds.x_test)


def test_faces_labels_follow_scikit_image_order():
    from skimage.data import lfw_subset

    raw = np.round(lfw_subset() * 255).astype(np.uint8)  # first 100 faces, then non-faces
    ds = datasets.load("faces", upscale=None)
    assert ds.class_names == ["non-face", "face"]
    faces = {raw[i].tobytes() for i in range(100)}
    for img, label in zip(ds.x_train[..., 0], ds.y_train, strict=True):
        assert (img.tobytes() in faces) == (label == 1)
    assert ds.class_counts("test") == {"non-face": 20, "face": 20}


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("imagenet", {}, "Unknown dataset"),
        ("shapes", {"colour": True}, "no option colour"),
        ("shapes", {"n_train": 0}, "at least 1"),
        ("shapes", {"image_size": 4}, "between 16 and 256"),
        ("digits", {"upscale": 1000}, "between 8 and 256"),
        ("faces", {"test_fraction": 1.5}, "between 0 and 1"),
        ("mnist", {"upscale": 32}, "no option upscale"),
    ],
)
def test_bad_names_and_options_raise_input_error(name, options, message):
    with pytest.raises(InputError, match=message):
        datasets.load(name, **options)


@pytest.mark.parametrize(
    "sizes, fraction",
    [([50, 30, 20], 0.2), ([2, 2, 9], 0.5), ([1, 5], 0.3), ([100], 0.1)],
)
def test_stratified_split_partitions_and_keeps_class_shares(sizes, fraction):
    y = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
    y = np.random.default_rng(0).permutation(y)
    y_before = y.copy()
    train, test = datasets.stratified_split(y, fraction, seed=1)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    for k, n in enumerate(sizes):
        n_test = int((y[test] == k).sum())
        if n >= 2:
            assert 1 <= n_test <= n - 1
            assert abs(n_test - fraction * n) <= 1
        else:
            assert n_test == 0
    again = datasets.stratified_split(y, fraction, seed=1)
    np.testing.assert_array_equal(train, again[0])


@pytest.mark.parametrize(
    "x, expected_shape",
    [
        (np.zeros((2, 5, 5, 1), np.uint8), (2, 5, 5, 3)),
        (np.zeros((2, 5, 5, 3), np.uint8), (2, 5, 5, 3)),
        (np.zeros((2, 5, 5), np.uint8), (2, 5, 5, 3)),
        (np.full((1, 2, 2, 1), 0.5, np.float32), (1, 2, 2, 3)),
    ],
)
def test_to_rgb(x, expected_shape):
    before = x.copy()
    out = datasets.to_rgb(x)
    assert out.shape == expected_shape and out.dtype == np.uint8
    np.testing.assert_array_equal(x, before)
    if x.dtype != np.uint8:
        assert (out == 128).all()
    else:
        assert out is not x
    assert (out[..., 0] == out[..., 2]).all()


def test_to_rgb_refuses_other_shapes():
    with pytest.raises(InputError, match="Expected images"):
        datasets.to_rgb(np.zeros((2, 4, 4, 2), np.uint8))


def test_sample_indices_and_counts():
    ds = datasets.load("shapes", n_train=60, n_test=12, classes=["circle", "star", "cross"])
    picks = ds.sample_indices(per_class=4, split="test", seed=0)
    assert list(picks) == ["circle", "star", "cross"]
    for k, (_, idx) in enumerate(picks.items()):
        assert len(idx) == 4 and (ds.y_test[idx] == k).all()
    assert ds.class_counts("val") == {"circle": 0, "star": 0, "cross": 0}
    with pytest.raises(InputError, match="Unknown split"):
        ds.class_counts("holdout")


def test_save_and_load_saved_round_trip(tmp_path):
    ds = datasets.load("shapes", n_train=12, n_test=6)
    path = datasets.save(ds, tmp_path / "sub" / "ds.npz")
    back = datasets.load_saved(path)
    assert back.class_names == ds.class_names and back.name == "shapes"
    np.testing.assert_array_equal(back.x_train, ds.x_train)
    np.testing.assert_array_equal(back.boxes_test, ds.boxes_test)
    assert back.x_val is None
    assert sorted(p.name for p in path.parent.iterdir()) == ["ds.npz"]  # no temp file left
    with pytest.raises(InputError, match="Could not read"):
        datasets.load_saved(tmp_path / "missing.npz")


def test_upscaled_digits_are_framed_like_mnist():
    ds = datasets.load("digits", upscale=28)
    frame = np.ones((28, 28), bool)
    frame[4:24, 4:24] = False
    assert (ds.x_train[:, frame] == 0).all()  # a 4-pixel black border, as in MNIST
    assert ds.x_train[:, 4:24, 4:24].max() == 255


def test_textures_are_real_photo_patches_with_disjoint_test_regions():
    ds = datasets.load("textures", patch=48, n_per_class=20)
    assert ds.class_names == ["brick", "grass", "gravel"]
    assert ds.x_train.shape == (60, 48, 48, 1) and ds.x_test.shape == (15, 48, 48, 1)
    assert ds.class_counts("test") == {"brick": 5, "grass": 5, "gravel": 5}
    assert ds.x_train.std() > 10  # real texture, not flat
    again = datasets.load("textures", patch=48, n_per_class=20)
    np.testing.assert_array_equal(ds.x_test, again.x_test)
    with pytest.raises(InputError, match="Patch size"):
        datasets.load("textures", patch=300)


def test_find_shapes_small_figures_among_clutter_with_boxes():
    ds = datasets.load("find_shapes", n_train=30, n_test=40)
    assert ds.name == "find_shapes"
    assert ds.x_test.shape == (40, 64, 64, 3)
    assert ds.boxes_test.shape == (40, 4)
    sides = np.maximum(
        ds.boxes_test[:, 2] - ds.boxes_test[:, 0], ds.boxes_test[:, 3] - ds.boxes_test[:, 1]
    )
    assert sides.max() <= 2 * 0.2 * 64 + 2  # circumradius at most 0.2 of the side
    # Boxes cover a small part of the image: "where" can be tested.
    area = np.prod(ds.boxes_test[:, 2:] - ds.boxes_test[:, :2], axis=1) / 64**2
    assert area.mean() < 0.15
    # The same options without clutter give cleaner backgrounds (clutter adds edges).
    clean = datasets.load("find_shapes", n_train=30, n_test=40, clutter=0)
    np.testing.assert_array_equal(clean.boxes_test, ds.boxes_test)
    assert (
        np.abs(np.diff(ds.x_test.astype(int), axis=2)).mean()
        > np.abs(np.diff(clean.x_test.astype(int), axis=2)).mean()
    )
    with pytest.raises(InputError):
        datasets.load("find_shapes", clutter=99)
    with pytest.raises(InputError):
        datasets.load("find_shapes", radius=(0.3, 0.1))
