"""Pretrained catalogue: bundled EfficientNet-Lite0, keras.applications entries, offline errors."""

import dataclasses
import hashlib
import importlib
import urllib.error

import numpy as np
import pytest
from skimage import data as skdata

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.models import ImageModel

DOMESTIC_CATS = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
COFFEE = {967, 968, 504}  # espresso, cup, coffee mug
DOWNLOADABLE = [m.name for m in pretrained.available() if not m.bundled]
CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
POOL_TYPES = ("MaxPooling2D", "AveragePooling2D")


@pytest.fixture(scope="module")
def lite():
    return pretrained.load(pretrained.BUNDLED)


@pytest.fixture
def empty_keras_cache(tmp_path, monkeypatch):
    """A Keras cache with no weights in it; returns the models folder."""
    folder = tmp_path / "keras-home" / "models"
    monkeypatch.setattr(pretrained, "keras_models_dir", lambda: folder)
    return folder


def _replace_entry(monkeypatch, name, **changes):
    """Every module of the package reads the catalogue through `pretrained.info`."""
    entry = dataclasses.replace(pretrained.info(name), **changes)
    original = pretrained.info
    monkeypatch.setattr(pretrained, "info", lambda key: entry if key == name else original(key))
    return entry


def _check_last_conv_layer(model, layer_name):
    """The Grad-CAM layer: a 4-D map with spatial size > 1, at the end of the conv stack."""
    layers = model.layers
    index = [ly.name for ly in layers].index(layer_name)
    shape = layers[index].output.shape
    assert len(shape) == 4 and shape[1] > 1 and shape[2] > 1

    # MobileNet v1 ends with its classifier written as a 1 x 1 convolution on a 1 x 1 map.
    def spatial(ly):
        shape = ly.output.shape
        return len(shape) == 4 and (shape[1] > 1 or shape[2] > 1)

    last_conv = max(
        i for i, ly in enumerate(layers) if type(ly).__name__ in CONV_TYPES and spatial(ly)
    )
    assert index >= last_conv
    later_maps = [ly for ly in layers[index + 1 :] if spatial(ly)]
    assert all(type(ly).__name__ in POOL_TYPES for ly in later_maps)


# --- catalogue ----------------------------------------------------------------------------


def test_catalogue():
    models = pretrained.available()
    names = [m.name for m in models]
    assert names[0] == pretrained.BUNDLED and models[0].bundled and models[0].offline
    assert len(set(names)) == len(names)
    assert {"mobilenet_v2", "resnet50", "vgg16", "inception_v3", "densenet121"} <= set(names)
    assert {"efficientnet_b0"} <= set(names)
    for m in models:
        assert 60 < m.top1 < 90 and m.params > 1_000_000
        assert m.bundled == (m.weight_file is None)
        if not m.bundled:
            assert m.download_mb > 0 and m.weight_url.endswith(m.weight_file)
    assert pretrained.info("inception_v3").input_size == (299, 299)


def test_unknown_model_is_an_input_error():
    with pytest.raises(InputError, match=r"Unknown pretrained model 'alexnet'.*mobilenet_v2"):
        pretrained.load("alexnet")


def test_class_names():
    names = pretrained.imagenet_class_names()
    assert len(names) == 1000 and len(set(names)) == 1000
    assert names[281] == "tabby cat" and names[282] == "tiger cat"
    assert names[967] == "espresso" and names[504] == "coffee mug"
    assert names[0] == "tench"


# --- the bundled model --------------------------------------------------------------------


def test_bundled_model_shape(lite):
    assert isinstance(lite, ImageModel) and isinstance(lite, pretrained.PretrainedModel)
    assert lite.input_size == (224, 224) and lite.outputs_logits
    assert lite.title == "EfficientNet-Lite0" and lite.bundled and lite.top1 == 75.1
    assert lite.params == pretrained.info(pretrained.BUNDLED).params
    assert lite.model.get_layer("predictions").get_config()["activation"] == "linear"
    assert len(lite.class_names) == 1000
    _check_last_conv_layer(lite.model, lite.last_conv_layer)
    assert pretrained.load(pretrained.BUNDLED) is lite  # built once per process


@pytest.mark.parametrize(("sample", "expected"), [("chelsea", DOMESTIC_CATS), ("coffee", COFFEE)])
def test_bundled_model_recognises_samples(lite, sample, expected):
    image = getattr(skdata, sample)()
    top5 = lite.top_k(image, 5)[0]
    assert {idx for idx, _, _ in top5} & expected, top5
    assert top5[0][0] in expected  # and it is the best guess


def test_logits_probabilities_and_inputs_unchanged(lite):
    images = np.stack([skdata.chelsea()[:200, :200], skdata.coffee()[:200, :200]])
    before = images.copy()
    logits = lite.logits(images)
    probs = lite.predict_proba(images)
    assert logits.shape == probs.shape == (2, 1000)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probs, e / e.sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-7)
    np.testing.assert_array_equal(images, before)


def test_bundled_preprocessing_is_tflite_mode(lite):
    x = lite.preprocessing.apply(np.array([[[[0, 127, 255]]]], dtype=np.uint8))
    np.testing.assert_allclose(x.ravel(), [-127 / 128, 0, 1], atol=1e-6)


def test_predict_reports_what_the_model_saw(lite):
    image = skdata.coffee()  # 400 x 600
    pred = pretrained.predict(lite, image, k=5)
    assert pred.seen.shape == (224, 224, 3) and pred.seen.dtype == np.uint8
    assert len(pred.top) == 5 and pred.top[0][1] == "espresso"
    probs = [p for _, _, p in pred.top]
    assert probs == sorted(probs, reverse=True)
    assert pred.latency_ms > 0 and pred.params == lite.params and pred.title == lite.title
    with pytest.raises(InputError, match="RGB"):
        pretrained.predict(lite, image[..., 0])


# --- keras.applications entries (random weights: no download) ------------------------------


@pytest.mark.parametrize("name", DOWNLOADABLE)
def test_keras_application_builds_with_logits_and_its_last_conv_layer(name):
    entry = pretrained.info(name)
    model = pretrained.build_keras_application(name, weights=None)
    assert tuple(model.input.shape[1:3]) == entry.input_size
    assert model.output.shape == (None, 1000)
    assert model.get_layer("predictions").get_config()["activation"] == "linear"
    assert model.count_params() == entry.params
    _check_last_conv_layer(model, entry.last_conv_layer)


@pytest.mark.parametrize("name", DOWNLOADABLE)
def test_keras_application_preprocessing_matches_keras(name):
    entry = pretrained.info(name)
    module = importlib.import_module(f"keras.applications.{entry.keras_module}")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2, 5, 5, 3)).astype(np.float32)
    expected = np.asarray(module.preprocess_input(images.copy()))
    np.testing.assert_allclose(entry.preprocessing.apply(images), expected, rtol=1e-5, atol=1e-4)


# --- downloads, offline ---------------------------------------------------------------------


def test_offline_error_names_the_file_and_folder(empty_keras_cache, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    assert not pretrained.is_cached("mobilenet_v2")
    with pytest.raises(InputError) as err:
        pretrained.load("mobilenet_v2")
    message = str(err.value)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5" in message
    assert str(empty_keras_cache) in message and "no internet connection" in message
    assert "URLError" not in message
    assert list(empty_keras_cache.iterdir()) == []  # no half-written file left behind


def test_unreachable_server_gives_the_same_clear_error(empty_keras_cache, monkeypatch):
    _replace_entry(monkeypatch, "densenet121", weight_url="http://127.0.0.1:9/densenet121.h5")
    with pytest.raises(InputError, match=r"densenet121_weights_tf_dim_ordering_tf_kernels\.h5"):
        pretrained.download_weights("densenet121", timeout=5)


def test_building_from_an_empty_cache_never_downloads(empty_keras_cache):
    with pytest.raises(InputError, match="not in the Keras cache"):
        pretrained.build_keras_application("resnet50", weights="imagenet")


def test_download_with_progress_and_hash_check(empty_keras_cache, tmp_path, monkeypatch):
    payload = b"not really weights" * 1000
    source = tmp_path / "served.h5"
    source.write_bytes(payload)
    _replace_entry(
        monkeypatch,
        "xception",
        weight_url=source.as_uri(),
        weight_hash=hashlib.md5(payload).hexdigest(),
    )
    seen = []
    path = pretrained.download_weights(
        "xception", progress=lambda fraction, message: seen.append((fraction, message))
    )
    assert path == empty_keras_cache / "xception_weights_tf_dim_ordering_tf_kernels.h5"
    assert path.read_bytes() == payload and seen[-1][0] == pytest.approx(1.0)
    assert "xception_weights_tf_dim_ordering_tf_kernels.h5" in seen[-1][1]
    assert pretrained.is_cached("xception")
    assert pretrained.download_weights("xception") == path  # cached: nothing fetched again


def test_damaged_download_is_refused(empty_keras_cache, tmp_path, monkeypatch):
    source = tmp_path / "served.h5"
    source.write_bytes(b"truncated")
    _replace_entry(monkeypatch, "vgg16", weight_url=source.as_uri())  # keeps the real md5
    with pytest.raises(InputError, match="damaged"):
        pretrained.download_weights("vgg16")
    assert list(empty_keras_cache.iterdir()) == []


def test_bundled_model_has_nothing_to_download():
    assert pretrained.is_cached(pretrained.BUNDLED)
    assert pretrained.weights_path(pretrained.BUNDLED) is None
    with pytest.raises(InputError, match="bundled"):
        pretrained.download_weights(pretrained.BUNDLED)


# --- agreement --------------------------------------------------------------------------------


def _pred(title, top):
    return pretrained.Prediction(title, title, np.zeros((2, 2, 3), np.uint8), top, 1.0, 1, 70.0)


def test_agreement_table():
    a = _pred("A", [(281, "tabby cat", 0.6), (282, "tiger cat", 0.3), (5, "x", 0.1)])
    b = _pred("B", [(282, "tiger cat", 0.5), (281, "tabby cat", 0.4), (7, "y", 0.1)])
    c = _pred("C", [(281, "tabby cat", 0.9), (9, "z", 0.05), (282, "tiger cat", 0.05)])
    result = pretrained.agreement([a, b, c])
    assert result.models == ["A", "B", "C"]
    assert result.top1 == ["tabby cat", "tiger cat", "tabby cat"] and result.shared_top1 is None
    assert result.shared_topk == ["tabby cat", "tiger cat"]  # in all three, by mean probability
    assert result.votes == [3, 3, 1, 1, 1]
    assert [name for _, name in result.classes][:2] == ["tabby cat", "tiger cat"]
    assert result.probabilities.shape == (3, 5)
    column_of_y = [k for k, _ in result.classes].index(7)  # only in B's top-k
    assert np.isnan(result.probabilities[0, column_of_y])
    assert result.probabilities[1, column_of_y] == pytest.approx(0.1)
    assert pretrained.agreement([a, a]).shared_top1 == "tabby cat"


def test_agreement_needs_a_model():
    with pytest.raises(InputError, match="at least one model"):
        pretrained.agreement([])
