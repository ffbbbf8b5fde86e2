"""The optimisation loop: pictures, ascent, determinism, errors."""

import keras
import numpy as np
import pytest

from cnnviz import activations, architectures, datasets, featureviz, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import tf_mode, unit

L = keras.layers


def filter_means(model, images, layer, filters):
    acts = activations.layer_activations(model, images.astype(np.float32) / 255, [layer])[layer]
    means = acts.mean(axis=(1, 2)) if acts.ndim == 4 else acts
    return means[np.arange(len(filters)), filters]


@pytest.mark.parametrize("method", featureviz.METHODS)
@pytest.mark.parametrize(
    ("layer", "size", "expected"),
    [("c2", None, 16), ("c2", 24, 24), ("predictions", 20, 20), ("gap", 16, 16)],
)
def test_shapes_and_ranges(model, method, layer, size, expected):
    out = featureviz.visualize_filters(model, layer, [0, 2], steps=3, size=size, method=method)
    assert out.shape == (2, expected, expected, 3)
    assert out.dtype == np.uint8


@pytest.mark.parametrize(("method", "steps", "share"), [("fourier", 192, 0.3), ("naive", 48, 0.5)])
def test_gradient_ascent_ascends_on_a_linear_colour_filter(model, method, steps, share):
    filters = [0, 1, 2, 3]
    start = featureviz.visualize_filters(model, "colour", filters, steps=0, method=method)
    end = featureviz.visualize_filters(model, "colour", filters, steps=steps, method=method)
    before = filter_means(model, start, "colour", filters)
    after = filter_means(model, end, "colour", filters)
    # The best [0, 1] image sets each channel to 1 where the weight is positive, so the
    # largest possible gain over a grey start is about half the sum of |weights|.
    weights = keras.ops.convert_to_numpy(model.get_layer("colour").kernel)[0, 0]
    best_gain = 0.5 * np.abs(weights).sum(axis=0)
    # The Fourier recipe moves slowly at first (Lucid's learning rate, 1/f-scaled basis).
    assert np.all(after - before > share * best_gain), (before, after, best_gain)


@pytest.mark.parametrize(("method", "steps"), [("fourier", 96), ("naive", 32)])
def test_gradient_ascent_ascends_on_a_relu_layer(model, method, steps):
    filters = [0, 1, 4]
    start = featureviz.visualize_filters(model, "c2", filters, steps=0, method=method)
    end = featureviz.visualize_filters(model, "c2", filters, steps=steps, method=method)
    before = filter_means(model, start, "c2", filters)
    after = filter_means(model, end, "c2", filters)
    assert np.all(after > 1.4 * before + 0.05), (before, after)


def test_deterministic_for_a_seed_and_seed_matters(model):
    a = featureviz.visualize_filters(model, "c2", [0, 1], steps=4, seed=3)
    b = featureviz.visualize_filters(model, "c2", [0, 1], steps=4, seed=3)
    c = featureviz.visualize_filters(model, "c2", [0, 1], steps=4, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("method", featureviz.METHODS)
def test_a_filter_picture_does_not_depend_on_the_rest_of_the_batch(model, method):
    batch = featureviz.visualize_filters(model, "c2", [0, 3, 5], steps=6, method=method)
    alone = featureviz.visualize_filters(model, "c2", [3], steps=6, method=method)
    assert np.abs(batch[1].astype(int) - alone[0]).max() <= 2
    small_batches = featureviz.visualize_filters(
        model, "c2", [0, 3, 5], steps=6, method=method, batch_size=2
    )
    assert np.abs(batch.astype(int) - small_batches).max() <= 2


def test_progress_callback_counts_every_step_of_every_batch(model):
    seen = []
    featureviz.visualize_filters(
        model, "c2", [0, 1, 2], steps=4, batch_size=2, progress=lambda s, t: seen.append((s, t))
    )
    assert seen == [(i, 8) for i in range(1, 9)]


def test_model_and_its_weights_are_untouched(model):
    before = [w.numpy().copy() for w in model.weights]
    featureviz.visualize_filters(model, "c2", [0], steps=3)
    for w, b in zip(model.weights, before, strict=True):
        np.testing.assert_array_equal(w.numpy(), b)


def test_image_model_preprocessing_is_used(model):
    # The same network behind two preprocessings gives different pictures (a layer after a
    # ReLU, so the offset matters; up to c2's pre-activation the network is linear).
    a = ImageModel("a", model, (16, 16), unit(), list("abc"))
    b = ImageModel("b", model, (16, 16), tf_mode(), list("abc"))
    pa = featureviz.visualize_filters(a, "gap", [1], steps=8, method="naive")
    pb = featureviz.visualize_filters(b, "gap", [1], steps=8, method="naive")
    assert not np.array_equal(pa, pb)


def test_default_steps_are_short_in_fast_mode(monkeypatch):
    assert featureviz.default_steps() == featureviz.FAST_STEPS
    monkeypatch.setenv("CNNVIZ_FAST", "0")
    assert featureviz.default_steps() == featureviz.DEFAULT_STEPS >= 256


def test_filter_count(model):
    assert featureviz.filter_count(model, "c2") == 6
    assert featureviz.filter_count(model, "predictions") == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layer_name": "c2", "filter_indices": [6]}, "Filter 6 does not exist"),
        ({"layer_name": "c2", "filter_indices": []}, "at least one"),
        ({"layer_name": "nope", "filter_indices": [0]}, "no layer named"),
        ({"layer_name": "c2", "filter_indices": [0], "method": "magic"}, "Unknown method"),
        ({"layer_name": "c2", "filter_indices": [0], "steps": -1}, "steps"),
        ({"layer_name": "c2", "filter_indices": [0], "size": 8}, "between"),
        ({"layer_name": "c2", "filter_indices": [0], "size": 4096}, "between"),
    ],
)
def test_bad_requests_raise_input_error(model, kwargs, match):
    with pytest.raises(InputError, match=match):
        featureviz.visualize_filters(model, **kwargs)


def test_grayscale_model_gets_grey_pictures():
    keras.utils.set_random_seed(2)
    gray = keras.Sequential([keras.Input((16, 16, 1)), L.Conv2D(3, 3, activation="relu", name="c")])
    out = featureviz.visualize_filters(gray, "c", [0, 1], steps=4)
    assert out.shape == (2, 16, 16, 3)
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def _briefly_trained(name):
    """A preset trained one epoch on a few small ``shapes`` images (its own channels)."""
    keras.utils.set_random_seed(0)
    preset = architectures.preset(name)
    side = 48 if name == "cats_vs_dogs_cnn" else min(32, preset.input_shape[0])
    gray = preset.input_shape[2] == 1
    ds = datasets.load("shapes", image_size=side, n_train=96, n_test=6, grayscale=gray)
    net = architectures.build(name, ds.input_shape, ds.num_classes, seed=0)
    net.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy")
    net.fit(ds.x_train.astype(np.float32) / 255, ds.y_train, epochs=1, batch_size=32, verbose=0)
    return net, gray


def _target(net, layer, images, filters):
    """Mean pre-ReLU value of each image's own filter (what the recipes maximise)."""
    sub, _ = models.layer_model(net, layer, flexible=True, pre_activation=True)
    x = images.astype(np.float32) / 255
    x = x[..., :1] if sub.inputs[0].shape[-1] == 1 else x
    act = keras.ops.convert_to_numpy(sub(x, training=False)).mean(axis=(1, 2))
    return act[np.arange(len(filters)), filters]


_CONV_PRESETS = [p for p in architectures.available() if p != "mlp"]  # mlp has no filters


@pytest.mark.slow
@pytest.mark.parametrize("name", _CONV_PRESETS)
def test_every_conv_layer_of_every_preset_gets_a_picture_with_structure(name):
    # Trained briefly, as a student's model is; CNNVIZ_FAST's short runs at the model's size.
    net, gray = _briefly_trained(name)
    filters = [0, 1, 2]
    for layer in models.conv_layers(net):
        start = featureviz.visualize_filters(net, layer, filters, steps=0)
        out = featureviz.visualize_filters(net, layer, filters)  # CNNVIZ_FAST steps
        std = out.reshape(len(filters), -1).std(axis=1)
        assert np.all(std > 10), (layer, std)  # Lucid's old settings: 7 grey levels
        gain = _target(net, layer, out, filters) - _target(net, layer, start, filters)
        assert np.all(gain > 0), (layer, gain)
        if gray:
            assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
