"""Train, Transfer learning and the autoencoder show the code of what their Train button runs."""

import pytest

from tests.pages.conftest import app_test

pytestmark = pytest.mark.usefixtures("stop_jobs")


def _code(at, prefix: str) -> str:
    at.toggle(key=f"{prefix}_code_code_show").set_value(True).run()  # the code, on request
    [expander] = [e for e in at.expander if e.label == "The code: run it yourself"]
    downloads = [d for d in expander.get("download_button")]
    assert len(downloads) == 2, downloads  # the script and the notebook
    [code] = expander.code
    return code.value


def test_train_shows_the_code_of_its_settings():
    at = app_test("pages/train.py").run()
    at.number_input(key="train_epochs").set_value(3).run()
    assert not at.exception
    code = _code(at, "train")
    assert "EPOCHS = 3" in code and "LEARNING_RATE = 0.002" in code  # shapes' tuned rate
    assert (
        'name="conv1"' in code and 'model = keras.Model(inputs, outputs, name="mnist_cnn")' in code
    )
    assert "def generate(" in code  # the shapes are drawn by the program itself
    assert "import cnnviz" not in code and "from cnnviz" not in code


def test_transfer_shows_the_code_of_its_base_head_and_mode():
    at = app_test("pages/transfer.py").run()
    assert not at.exception
    code = _code(at, "transfer")
    assert "load_weights(full_base, load_state_dict(weights_file()))" in code
    assert 'layers.Dense(256, activation="relu", name="transfer_dense")' in code
    assert "extractor.predict(x_train" in code  # feature extraction, the default mode
    at.radio(key="transfer_mode").set_value("finetune").run()
    assert not at.exception
    code = _code(at, "transfer")
    assert "unfrozen = base_layers[len(base_layers) - 20:]" in code


def test_autoencoder_shows_the_code_of_its_noise_and_network():
    at = app_test("pages/autoencoder.py").run()
    assert not at.exception
    code = _code(at, "autoencoder")
    assert "def build_model(" in code and "NoisyInput(0.5, seed=SEED" in code
    assert "load_digits" in code
