"""Comparing without downloads: which weights are missing, top-1 agreement on a set of images,
and the bundled model at another input size."""

import urllib.error

import numpy as np
import pytest

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import raw

COLOURS = ["red", "green", "blue"]


def _brightest_channel_model(size: int, order=(0, 1, 2)) -> ImageModel:
    """Mean of each channel → logits: class ``order[c]`` for channel c (no training, exact)."""
    import keras

    inputs = keras.Input((size, size, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    dense = keras.layers.Dense(3, use_bias=False)
    outputs = dense(x)
    kernel = np.zeros((3, 3), np.float32)
    for channel, cls in enumerate(order):
        kernel[channel, cls] = 1.0
    dense.set_weights([kernel])
    model = keras.Model(inputs, outputs)
    return ImageModel(f"tiny{size}", model, (size, size), raw(), COLOURS, outputs_logits=True)


def _uniform(rgb, size=6):
    return np.full((size, size, 3), rgb, np.uint8)


IMAGES = {
    "red": _uniform((200, 10, 10)),
    "green": _uniform((10, 200, 10)),
    "blue": _uniform((10, 10, 200), size=9),
    "reddish": _uniform((120, 100, 90), size=5),
}


def test_top1_agreement_is_the_share_of_images_with_the_same_first_guess():
    small, large = _brightest_channel_model(4), _brightest_channel_model(8)
    swapped = _brightest_channel_model(8, order=(0, 2, 1))  # reads green as blue and back
    before = {name: image.copy() for name, image in IMAGES.items()}

    same = pretrained.top1_agreement(small, large, IMAGES)
    assert same.images == ["red", "green", "blue", "reddish"]
    assert [name for _, name, _ in same.first] == ["red", "green", "blue", "red"]
    assert same.same == [True] * 4 and same.count == 4 and same.share == 1.0

    half = pretrained.top1_agreement(small, swapped, IMAGES)
    assert [name for _, name, _ in half.second] == ["red", "blue", "green", "red"]
    assert half.same == [True, False, False, True]
    assert half.count == 2 and half.share == pytest.approx(0.5)
    assert all(0 < p <= 1 for _, _, p in half.first + half.second)
    for name, image in IMAGES.items():  # the images are not changed
        np.testing.assert_array_equal(image, before[name])


def test_top1_agreement_needs_images_and_the_same_classes():
    model = _brightest_channel_model(4)
    with pytest.raises(InputError, match="at least one image"):
        pretrained.top1_agreement(model, model, {})
    other = ImageModel("other", model.model, (4, 4), raw(), ["a", "b", "c"], outputs_logits=True)
    with pytest.raises(InputError, match="same classes"):
        pretrained.top1_agreement(model, other, IMAGES)


@pytest.fixture(scope="module")
def lite():
    return pretrained.load(pretrained.BUNDLED)


def test_bundled_model_at_another_input_size_keeps_its_weights(lite):
    weights_before = [w.copy() for w in lite.model.get_weights()]
    small = pretrained.with_input_size(lite, 128)
    assert small.input_size == (128, 128) and lite.input_size == (224, 224)
    assert small.model is not lite.model and small.title == lite.title
    assert small.model.input_shape == (None, 128, 128, 3)
    for a, b in zip(small.model.get_weights(), weights_before, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(lite.model.get_weights(), weights_before, strict=True):
        np.testing.assert_array_equal(a, b)  # the shared model is untouched
    assert pretrained.with_input_size(lite, 224) is lite
    cat = pretrained.top1_agreement(lite, small, {"cat": _sample("cat")})
    assert cat.first[0][1] == "Egyptian Mau" and cat.same == [True]


def _sample(name):
    from cnnviz import images

    return images.samples()[name]


@pytest.mark.parametrize("size", [16, 1024])
def test_input_size_out_of_range(lite, size):
    with pytest.raises(InputError, match="out of range"):
        pretrained.with_input_size(lite, size)


def test_only_the_bundled_model_changes_its_input_size(lite):
    import dataclasses

    other = dataclasses.replace(lite, spec=pretrained.info("vgg16"))
    with pytest.raises(InputError, match="Only the bundled"):
        pretrained.with_input_size(other, 128)


def test_missing_weights_lists_the_models_without_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    downloadable = [e.key for e in pretrained.available() if not e.bundled]
    assert [e.key for e in pretrained.missing_weights()] == downloadable
    folder = pretrained.keras_models_dir()
    folder.mkdir(parents=True)
    (folder / pretrained.info("vgg16").weight_file).write_bytes(b"x")
    assert [e.key for e in pretrained.missing_weights()] == [
        k for k in downloadable if k != "vgg16"
    ]


def test_a_failed_download_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(pretrained.WeightsMissingError) as err:
        pretrained.download_weights("resnet50")
    assert isinstance(err.value, InputError) and err.value.name == "resnet50"
    assert err.value.reason == "the server could not be reached (no internet connection here)"
    assert pretrained.info("resnet50").weight_file in str(err.value)
