import keras
import numpy as np
import pytest

from cnnviz import activations as act
from cnnviz import models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import caffe_mode, unit

L = keras.layers


def small_model(channels=3):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((16, 16, channels)),
            L.Conv2D(4, 3, activation="relu", name="c1"),
            L.MaxPooling2D(name="pool"),
            L.Conv2D(6, 3, activation="relu", name="c2"),
            L.Flatten(name="flat"),
            L.Dense(3, activation="softmax", name="predictions"),
        ]
    )


@pytest.fixture(scope="module")
def model():
    return small_model()


@pytest.fixture(scope="module")
def image_model(model):
    return ImageModel("small", model, (16, 16), unit(), ["a", "b", "c"])


X = np.random.default_rng(0).random((3, 16, 16, 3)).astype(np.float32)
RGB = np.random.default_rng(1).integers(0, 256, (2, 40, 30, 3), dtype=np.uint8)


def test_all_layers_in_order_with_shapes(model):
    acts = act.layer_activations(model, X)
    assert list(acts) == ["c1", "pool", "c2", "flat", "predictions"]
    shapes = {k: v.shape for k, v in acts.items()}
    assert shapes == {
        "c1": (3, 14, 14, 4),
        "pool": (3, 7, 7, 4),
        "c2": (3, 5, 5, 6),
        "flat": (3, 150),
        "predictions": (3, 3),
    }
    assert all(v.dtype == np.float32 for v in acts.values())
    np.testing.assert_allclose(
        acts["predictions"].sum(1), 1, atol=1e-5
    )  # probabilities, as the model shows


def test_values_match_each_layer_alone(model):
    acts = act.layer_activations(model, X, ["c2", "c1"])
    assert list(acts) == ["c2", "c1"]
    for name in ("c1", "c2"):
        ref = keras.Model(model.inputs[0], model.get_layer(name).output)(X)
        np.testing.assert_allclose(acts[name], keras.ops.convert_to_numpy(ref), atol=1e-6)


def test_one_forward_pass(model, monkeypatch):
    calls = []
    real = models.multi_output_model

    def counting(*args, **kwargs):
        sub = real(*args, **kwargs)

        def call(x, **kw):
            calls.append(x.shape)
            return sub(x, **kw)

        return call

    monkeypatch.setattr(models, "multi_output_model", counting)
    act.layer_activations(model, X)
    assert len(calls) == 1


def test_batch_equals_single_images_and_inputs_unchanged(model):
    before = X.copy()
    batch = act.layer_activations(model, X, ["c2"])["c2"]
    singles = np.concatenate([act.layer_activations(model, X[i], ["c2"])["c2"] for i in range(3)])
    np.testing.assert_allclose(batch, singles, atol=1e-6)
    np.testing.assert_array_equal(X, before)


def test_image_model_takes_raw_rgb_of_any_size(image_model):
    before = RGB.copy()
    acts = act.layer_activations(image_model, RGB, ["c1"])
    assert acts["c1"].shape == (2, 14, 14, 4)
    np.testing.assert_array_equal(RGB, before)
    direct = act.layer_activations(image_model.model, image_model.preprocess(RGB), ["c1"])
    np.testing.assert_allclose(acts["c1"], direct["c1"], atol=1e-6)


def test_grayscale_image_model():
    gray = ImageModel("g", small_model(channels=1), (16, 16), unit(grayscale=True), list("abc"))
    acts = act.layer_activations(gray, RGB[0])
    assert acts["c1"].shape == (1, 14, 14, 4)


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (np.zeros((2, 8, 8, 3), np.float32), "expects inputs of shape"),
        (np.zeros((2, 16, 16), np.float32), "expects inputs of shape"),
        (np.zeros((0, 16, 16, 3), np.float32), "Expected a batch"),
    ],
)
def test_bad_inputs_raise_input_error(model, images, match):
    with pytest.raises(InputError, match=match):
        act.layer_activations(model, images)


def test_unknown_layer(model):
    with pytest.raises(InputError, match="no layer named"):
        act.layer_activations(model, X, ["nope"])


def test_channel_stats_counts_channels_that_stay_at_zero():
    a = np.zeros((4, 4, 3), np.float32)
    a[..., 1] = 2.0
    a[0, 0, 2] = -1.0
    stats = act.channel_stats(a)
    np.testing.assert_allclose(stats.mean, [0, 2, -1 / 16])
    np.testing.assert_allclose(stats.max, [0, 2, 0])
    assert stats.dead.tolist() == [True, False, False]
    assert stats.dead_count == 1 and stats.channels == 3
    assert act.channel_stats(np.array([0.0, 1.0])).dead_count == 1
    with pytest.raises(InputError):
        act.channel_stats(np.zeros((1, 2, 2, 3)))


def test_channel_stats_on_relu_layer_counts_real_dead_channels(model):
    c1 = act.layer_activations(model, X, ["c1"])["c1"][0]
    stats = act.channel_stats(c1)
    assert stats.dead_count == int(np.sum(c1.max(axis=(0, 1)) == 0))


@pytest.mark.parametrize(
    ("count", "columns", "expected"),
    [
        (1, None, (1, 1)),
        (4, None, (2, 2)),
        (5, None, (2, 3)),
        (16, None, (4, 4)),
        (7, 3, (3, 3)),
        (3, 10, (1, 3)),
    ],
)
def test_grid_shape(count, columns, expected):
    assert act.grid_shape(count, columns) == expected


def test_grid_shape_rejects_zero():
    with pytest.raises(InputError):
        act.grid_shape(0)


def test_channel_grid_layout_scaling_and_lookup():
    a = np.zeros((3, 2, 5), np.float32)
    a[..., 0] = np.arange(6).reshape(3, 2)  # ramp
    a[..., 1] = 7.0  # constant map
    a[..., 2] = -np.arange(6).reshape(3, 2)
    grid = act.channel_grid(a, pad=1)
    assert (grid.rows, grid.columns) == (2, 3)
    assert grid.image.shape == (2 * 3 + 1, 3 * 2 + 2)
    tiles = grid.image[~np.isnan(grid.image)]
    assert tiles.min() >= 0 and tiles.max() <= 1
    np.testing.assert_allclose(grid.image[0:3, 0:2], np.arange(6).reshape(3, 2) / 5)
    np.testing.assert_array_equal(grid.image[0:3, 3:5], 0)  # constant → 0, not NaN
    assert np.isnan(grid.image[3]).all()  # padding row
    assert np.isnan(grid.image[4:7, 6:8]).all()  # unused sixth cell
    assert grid.channel_at(0, 0) == 0 and grid.channel_at(4, 3) == 4
    assert grid.channel_at(3, 0) is None and grid.channel_at(5, 7) is None
    shared = act.channel_grid(a, channels=[0, 1], scale="shared")
    assert shared.vmin == 0 and shared.vmax == 7
    np.testing.assert_allclose(shared.image[0:3, 3:5], 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"channels": [9]}, "does not exist"), ({"scale": "log"}, "scale")],
)
def test_channel_grid_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        act.channel_grid(np.zeros((2, 2, 3)), **kwargs)
    with pytest.raises(InputError, match="dense"):
        act.channel_grid(np.zeros(3))


def test_tile_images():
    imgs = np.stack([np.full((4, 5, 3), i * 40, np.uint8) for i in range(5)])
    out = act.tile_images(imgs, columns=2, pad=1)
    assert out.shape == (3 * 5 - 1, 2 * 6 - 1, 3) and out.dtype == np.uint8
    assert (out[0:4, 6:11] == 40).all() and (out[4] == 255).all()


def test_first_conv_kernels(model):
    k = act.first_conv_kernels(model)
    assert k.layer_name == "c1"
    assert k.images.shape == (4, 3, 3, 3) and k.images.dtype == np.uint8
    assert k.weights.shape == (3, 3, 3, 4)
    assert (k.images.reshape(4, -1).min(1) == 0).all() and (
        k.images.reshape(4, -1).max(1) == 255
    ).all()
    gray = act.first_conv_kernels(small_model(channels=1)).images
    assert (gray[..., 0] == gray[..., 2]).all()
    bgr = ImageModel("v", model, (16, 16), caffe_mode(), list("abc"))
    np.testing.assert_array_equal(act.first_conv_kernels(bgr).images, k.images[..., ::-1])


def test_first_conv_kernels_without_conv():
    with pytest.raises(InputError, match="no Conv2D"):
        act.first_conv_kernels(keras.Sequential([keras.Input((4,)), L.Dense(2)]))
