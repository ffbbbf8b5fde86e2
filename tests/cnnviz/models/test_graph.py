import keras
import numpy as np
import pytest

from cnnviz import models as mu
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit

L = keras.layers


def _np(t):
    return np.asarray(keras.ops.convert_to_numpy(t))


def sequential(final="softmax", classes=3):
    keras.utils.set_random_seed(0)
    head = [L.Dense(classes, activation=final, name="predictions")]
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(4, 3, activation="relu", name="c1"),
            L.MaxPooling2D(name="pool"),
            L.Conv2D(8, 3, activation="relu", name="c2"),
            L.GlobalAveragePooling2D(name="gap"),
            *head,
        ]
    )


def split_activation(kind):
    keras.utils.set_random_seed(1)
    inp = keras.Input((16, 16, 3))
    x = L.Conv2D(4, 3, name="c1")(inp)
    x = L.Flatten(name="flat")(x)
    x = L.Dense(3, name="logits")(x)
    out = (
        L.Softmax(name="probs")(x)
        if kind == "softmax_layer"
        else L.Activation(kind, name="probs")(x)
    )
    return keras.Model(inp, out)


def nested():
    keras.utils.set_random_seed(2)
    base = keras.Sequential(
        [keras.Input((16, 16, 3)), L.Conv2D(4, 3, name="inner_conv"), L.ReLU(name="inner_relu")],
        name="base",
    )
    inp = keras.Input((16, 16, 3))
    x = base(inp)
    x = L.Conv2D(5, 3, activation="relu", name="outer_conv")(x)
    x = L.Conv2D(6, 12, name="one_by_one")(x)  # 12x12 -> 1x1: useless for Grad-CAM
    x = L.Flatten(name="flat")(x)
    return keras.Model(inp, L.Dense(2, activation="softmax", name="predictions")(x))


def probabilities(z, sigmoid=False):
    if sigmoid or z.shape[-1] == 1:
        return 1 / (1 + np.exp(-z))
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


X = np.random.default_rng(0).random((3, 16, 16, 3)).astype(np.float32)


@pytest.mark.parametrize(
    ("build", "names", "cam_layer"),
    [
        (sequential, ["c1", "pool", "c2", "gap", "predictions"], "c2"),
        (lambda: split_activation("softmax"), ["c1", "flat", "logits", "probs"], "c1"),
        (
            nested,
            ["inner_conv", "inner_relu", "outer_conv", "one_by_one", "flat", "predictions"],
            "outer_conv",
        ),
    ],
)
def test_layer_listing_and_default_cam_layer(build, names, cam_layer):
    model = build()
    assert mu.layer_names(model) == names
    assert mu.default_cam_layer(model) == cam_layer
    assert set(mu.spatial_layers(model)) <= set(names)
    for info in mu.layer_infos(model):
        assert info.is_spatial == (len(info.output_shape) == 3)


def test_layer_infos_shapes_and_params():
    infos = {i.name: i for i in mu.layer_infos(sequential())}
    assert infos["c1"].output_shape == (14, 14, 4)
    assert infos["c1"].params == 3 * 3 * 3 * 4 + 4
    assert infos["gap"].output_shape == (8,)
    assert infos["c1"].is_conv and not infos["pool"].is_conv
    assert mu.conv_layers(sequential()) == ["c1", "c2"]


def test_nested_layers_are_flattened():
    infos = {i.name: i for i in mu.layer_infos(nested())}
    assert infos["inner_conv"].nested_in == "base"
    assert infos["outer_conv"].nested_in == ""


def test_default_cam_layer_errors_and_image_model_choice():
    dense_only = keras.Sequential([keras.Input((4,)), L.Dense(2, activation="softmax")])
    with pytest.raises(InputError, match="Grad-CAM"):
        mu.default_cam_layer(dense_only)
    im = ImageModel("m", sequential(), (16, 16), unit(), ["a", "b", "c"], last_conv_layer="c1")
    assert mu.default_cam_layer(im) == "c1"
    im.last_conv_layer = "missing"
    assert mu.default_cam_layer(im) == "c2"


@pytest.mark.parametrize(
    ("build", "sigmoid"),
    [
        (sequential, False),
        (lambda: sequential(final="sigmoid", classes=1), True),
        (lambda: split_activation("softmax"), False),
        (lambda: split_activation("sigmoid"), True),
        (lambda: split_activation("softmax_layer"), False),
        (nested, False),
    ],
)
def test_logits_model_matches_pre_activation_and_leaves_model_alone(build, sigmoid):
    model = build()
    weights_before = [w.numpy().copy() for w in model.weights]
    config_before = model.get_config()
    probs_before = _np(model(X))
    assert not mu.outputs_logits(model)
    lm = mu.logits_model(model)
    assert lm is not model
    z = _np(lm(X))
    np.testing.assert_allclose(probabilities(z, sigmoid), probs_before, atol=1e-5)
    # the original is untouched: same output, weights, config and final activation
    np.testing.assert_allclose(_np(model(X)), probs_before)
    assert model.get_config() == config_before
    for w, before in zip(model.weights, weights_before, strict=True):
        np.testing.assert_array_equal(w.numpy(), before)
    # weights are shared, not copied
    assert {id(w) for w in lm.weights} <= {id(w) for w in model.weights}
    assert mu.logits_model(model) is lm  # cached


def test_logits_model_returns_logit_models_as_they_are():
    model = sequential(final=None)
    assert mu.outputs_logits(model)
    assert mu.logits_model(model) is model
    im = ImageModel("m", model, (16, 16), unit(), list("abc"), outputs_logits=True)
    assert mu.logits_model(im) is model


def test_multi_output_model_values_and_cache():
    model = sequential()
    sub = mu.multi_output_model(model, ["c2", "c1"])
    c1 = keras.Model(model.inputs[0], model.get_layer("c1").output)
    outs = sub(X)
    np.testing.assert_allclose(_np(outs[1]), _np(c1(X)), atol=1e-6)
    assert tuple(outs[0].shape) == (3, 5, 5, 8)
    assert mu.multi_output_model(model, ["c2", "c1"]) is sub
    with_out = mu.multi_output_model(model, ["c1"], logits=True, with_output=True)
    np.testing.assert_allclose(probabilities(_np(with_out(X)[1])), _np(model(X)), atol=1e-5)


def test_multi_output_model_reaches_into_nested_models():
    model = nested()
    sub = mu.multi_output_model(model, ["inner_relu"])
    base = model.get_layer("base")
    np.testing.assert_allclose(_np(sub(X)), _np(base(X)), atol=1e-6)  # one output: a tensor


def test_unknown_layer_and_subclassed_model_raise_input_error():
    with pytest.raises(InputError, match="no layer named 'nope'"):
        mu.multi_output_model(sequential(), ["nope"])

    class Custom(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(InputError, match="subclassed"):
        mu.layer_infos(Custom())
    with pytest.raises(InputError):
        mu.keras_model("not a model")


@pytest.mark.parametrize("layer", ["c1", "c2"])
def test_injected_model_adds_delta_and_outputs_logits(layer):
    model = sequential()
    inj = mu.injected_model(model, layer)
    shape = mu.layer_info(model, layer).output_shape
    maps, z = inj([X, np.zeros((3, *shape), np.float32)])
    ref = keras.Model(model.inputs[0], model.get_layer(layer).output)
    np.testing.assert_allclose(_np(maps), _np(ref(X)), atol=1e-6)
    np.testing.assert_allclose(probabilities(_np(z)), _np(model(X)), atol=1e-5)
    maps2, z2 = inj([X, np.ones((3, *shape), np.float32)])
    np.testing.assert_allclose(_np(maps2), _np(maps) + 1, atol=1e-5)
    assert not np.allclose(_np(z2), _np(z))


def test_layer_model_flexible_size_and_pre_activation():
    model = sequential()
    sub, flexible = mu.layer_model(model, "c2", flexible=True)
    assert flexible
    assert tuple(sub(np.zeros((1, 30, 30, 3), np.float32)).shape) == (1, 12, 12, 8)
    dense, flexible = mu.layer_model(model, "predictions", flexible=True)
    assert not flexible
    np.testing.assert_allclose(probabilities(_np(dense(X))), _np(model(X)), atol=1e-5)
    pre, _ = mu.layer_model(model, "c1", pre_activation=True)
    post = keras.Model(model.inputs[0], model.get_layer("c1").output)
    pre_v = _np(pre(X))
    assert pre_v.min() < 0  # the ReLU was skipped
    np.testing.assert_allclose(np.maximum(pre_v, 0), _np(post(X)), atol=1e-6)


def test_num_classes():
    assert mu.num_classes(sequential()) == 3
    assert mu.num_classes(sequential(final="sigmoid", classes=1)) == 2


def test_model_cache_is_bounded_and_checks_identity():
    cache = mu.ModelCache(maxsize=2)
    a, b, c = object(), object(), object()
    assert cache.get(a, ("k",), lambda: 1) == 1
    assert cache.get(a, ("k",), lambda: 2) == 1
    cache.get(b, ("k",), lambda: 3)
    cache.get(c, ("k",), lambda: 4)
    assert cache.get(a, ("k",), lambda: 5) == 5  # evicted, rebuilt
