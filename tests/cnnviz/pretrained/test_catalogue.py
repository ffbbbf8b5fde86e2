"""Every catalogue entry has what the Pretrained page needs; weights load from the app's file."""

import keras
import numpy as np
import pytest

from cnnviz import pretrained
from cnnviz.pretrained import keras_apps
from cnnviz.registry import Entry

ENTRIES = pretrained.available()


def test_available_is_the_registry_bundled_first():
    assert [e.key for e in ENTRIES] == pretrained.REGISTRY.keys()
    assert ENTRIES[0].key == pretrained.BUNDLED and sum(e.bundled for e in ENTRIES) == 1


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.key)
def test_entry_has_what_the_page_needs(entry):
    assert isinstance(entry, Entry) and entry.name == entry.key
    assert entry.title and entry.help and entry.title in entry.help
    h, w = entry.input_size
    assert h == w and h >= 224 and entry.preprocessing.channels == 3
    assert entry.last_conv_layer and 1990 < entry.year < 2030
    if entry.bundled:
        assert entry.weight_file is None and pretrained.weights_path(entry.key) is None
        assert entry.offline
    else:
        assert entry.builder and entry.keras_module and entry.download_mb > 0
        assert entry.weight_file.endswith(".h5") and entry.weight_url.endswith(entry.weight_file)
        assert pretrained.weights_path(entry.key).name == entry.weight_file


def test_weights_live_in_the_keras_cache_of_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert pretrained.keras_models_dir() == tmp_path / "kh" / "models"
    assert pretrained.weights_path("vgg16").parent == tmp_path / "kh" / "models"


def test_a_weight_file_is_loaded_from_its_path(tmp_path, monkeypatch):
    # A MobileNetV2 with random weights saved as the "downloaded" file: loading it through
    # the catalogue gives the same numbers, with no download and no Keras setting read.
    folder = tmp_path / "models"
    monkeypatch.setattr(pretrained, "keras_models_dir", lambda: folder)
    source = pretrained.build_keras_application("mobilenet_v2", weights=None)
    folder.mkdir()
    source.save_weights(folder / "w.weights.h5")
    target = folder / pretrained.info("mobilenet_v2").weight_file
    # Keras reads a plain ".h5" path in its legacy format; ".weights.h5" in the new one.
    monkeypatch.setattr(pretrained, "weights_path", lambda name: folder / "w.weights.h5")
    loaded = pretrained.build_keras_application("mobilenet_v2", weights="imagenet")
    x = np.random.default_rng(0).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict_on_batch(x), source.predict_on_batch(x), atol=1e-4)
    assert not target.exists()


def test_efficientnet_normalization_matches_keras_imagenet_build():
    model = keras.applications.EfficientNetB0(weights=None, classifier_activation=None)
    norm = next(ly for ly in model.layers if isinstance(ly, keras.layers.Normalization))
    probe = keras.Model(model.input, norm.output)
    x = np.random.default_rng(1).uniform(0, 255, (1, 224, 224, 3)).astype(np.float32)
    before = keras.ops.convert_to_numpy(probe(x, training=False))
    keras_apps._match_imagenet_normalization(model)
    after = keras.ops.convert_to_numpy(probe(x, training=False))  # eager: no stale trace
    # What keras.applications adds for "imagenet": Rescaling(1 / sqrt(stddev)) per channel.
    factor = 1 / np.sqrt(np.array([0.229, 0.224, 0.225], dtype=np.float32))
    np.testing.assert_allclose(after, before * factor, rtol=1e-4, atol=1e-5)


def test_mobilenet_v1_is_keras_mobilenet_with_its_own_file_and_figures():
    entry = pretrained.info("mobilenet")
    assert entry.title == "MobileNet" and entry.builder == "MobileNet"
    assert entry.input_size == (224, 224) and entry.top1 == 70.4 and entry.download_mb == 17
    assert entry.weight_file == "mobilenet_1_0_224_tf.h5"
    assert entry.weight_url == (
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
        "mobilenet_1_0_224_tf.h5"
    )
    assert entry.keras_module == "mobilenet" and entry.preprocessing.mode == "tf"
    assert not entry.bundled
