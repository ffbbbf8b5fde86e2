"""AppTest for the Pretrained page: offline default, a comparison, a model that cannot download."""

import urllib.error

import pytest
import streamlit as st

from cnnviz import pretrained
from tests.pages.conftest import app_test

PAGE = "pages/pretrained.py"


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No weights in the Keras cache and no network: downloads fail at once."""
    monkeypatch.setattr(pretrained, "keras_models_dir", lambda: tmp_path / "keras" / "models")

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", no_network)


def _texts(elements):
    return " ".join(str(e.value) for e in elements)


def test_default_bundled_model_classifies_the_sample_cat(offline):
    at = app_test(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Pretrained models"
    assert at.multiselect(key="pretrained_models").value == [pretrained.BUNDLED]
    assert [s.value for s in at.subheader] == ["EfficientNet-Lite0"]
    assert not at.error
    figure = at.get("plotly_chart")[0].proto.spec
    assert "Egyptian Mau" in figure or "tabby cat" in figure or "tiger cat" in figure
    assert "ImageNet top-1 **75.1%**" in _texts(at.markdown)
    assert "Pick two or more models" in _texts(at.info)  # agreement needs a second model


def test_model_that_cannot_download_shows_a_clear_error(offline):
    at = app_test(PAGE).run()
    at.multiselect(key="pretrained_models").set_value([pretrained.BUNDLED, "mobilenet_v2"]).run()
    assert not at.exception
    errors = _texts(at.error)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5" in errors
    assert "could not be reached" in errors  # said plainly, not as a raw URLError
    assert "urlopen" not in errors
    # The bundled model still answers next to the failed one.
    assert len(at.get("plotly_chart")) == 1
    assert [s.value for s in at.subheader] == ["EfficientNet-Lite0", "MobileNetV2"]


def test_two_models_show_the_agreement_section(offline, monkeypatch):
    # A second model without downloading: MobileNetV2 with random weights stands in for
    # DenseNet121's download (it only has to produce 1000 logits).
    monkeypatch.setattr(pretrained, "is_cached", lambda name: True)
    monkeypatch.setattr(
        pretrained,
        "build_keras_application",
        lambda name, weights=None: pretrained_build_random_mobilenet(),
    )
    monkeypatch.setattr(pretrained, "download_weights", lambda name, progress=None: None)
    pretrained.clear_cache("densenet121")
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = app_test(PAGE).run()
        at.multiselect(key="pretrained_models").set_value([pretrained.BUNDLED, "densenet121"])
        at.run()
        assert not at.exception and not at.error
        assert "Do the models agree?" in [h.value for h in at.header]
        assert len(at.get("plotly_chart")) == 3  # two top-5 bar charts and the heatmap
        verdict = _texts(at.success) + _texts(at.warning)
        assert "EfficientNet-Lite0 →" in verdict or "put **" in verdict
    finally:  # the random stand-in must not stay cached under a real model's name
        pretrained.clear_cache("densenet121")
        st.cache_resource.clear()
        st.cache_data.clear()


def pretrained_build_random_mobilenet():
    import keras

    return keras.applications.MobileNetV2(
        weights=None, classifier_activation=None, input_shape=(224, 224, 3)
    )


def test_each_column_shows_a_gradcam_overlay_that_can_be_turned_off(offline):
    at = app_test(PAGE).run()
    captions = [c for img in at.get("image") for c in img.captions]
    assert any(c.startswith("Grad-CAM for") for c in captions), captions
    at.toggle(key="pretrained_gradcam").set_value(False).run()
    assert not at.exception
    captions = [c for img in at.get("image") for c in img.captions]
    assert not any(c.startswith("Grad-CAM for") for c in captions)
