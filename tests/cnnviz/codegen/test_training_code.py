"""The code behind Train, Transfer learning and the autoencoder runs and builds the page's network.

Every generated script runs (1 epoch, a few images) in ONE subprocess
(``run_programs.py``), offline: Keras' own calls read small stand-in files from a private
Keras cache. Each must print the parameter count of the model the page trains.
"""

import gzip
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnviz import architectures, courses, training, transfer
from cnnviz.autoencoder import AutoencoderConfig
from cnnviz.codegen import training_code
from cnnviz.training import Augmentation, TrainingConfig

RUNNER = Path(__file__).with_name("run_programs.py")
STORED_PATH: list = []  # where the fixture saved the stored transfer model
PAGES = ("train", "transfer", "autoencoder")
EXPERIMENTS = [e.key for e in courses.available() if e.page in PAGES]
PRESET_DATASETS = {  # a dataset each preset fits, offline
    "mnist_cnn": ("digits", {}),
    "fashion_cnn": ("digits", {}),
    "fashion_cnn_leaky": ("digits", {}),
    "mlp": ("digits", {}),
    "cifar10_cnn": ("shapes", {"n_train": 600, "n_test": 300}),
    "tiny_vgg": ("shapes", {"image_size": 64, "n_train": 600, "n_test": 300}),
    "cam_cnn": ("shapes", {"image_size": 64, "n_train": 600, "n_test": 300}),
    "cats_vs_dogs_cnn": ("shapes", {"image_size": 64, "n_train": 600, "n_test": 300}),
}
STORED = transfer.TransferConfig(base="mobilenet_v2", mode="frozen", input_size=96, head_units=32)
MODES = transfer.MODES
CUSTOM = [
    {"type": "conv2d", "filters": 8, "kernel": 3, "activation": "leaky_relu"},
    {"type": "batchnorm"},
    {"type": "avgpool", "kernel": 2},
    {"type": "conv2d", "filters": 8, "kernel": 3, "padding": "same", "activation": "prelu"},
    {"type": "maxpool", "kernel": 2},
    {"type": "dense", "units": 16, "activation": "prelu"},
    {"type": "dropout", "rate": 0.2},
]


def _custom_config():
    return TrainingConfig(
        architecture=CUSTOM, optimizer="sgd", schedule="constant", dropout=0.3, l2=1e-4,
        early_stopping=2, first_layer="gabor_frozen", validation_split=0.2,
        augmentation=Augmentation(flip="horizontal", rotation_deg=10, width_shift=0.1,
                                  height_shift=0.1, shear_deg=5, zoom=0.1, contrast=0.2),
    )  # fmt: skip


def _stored_config():
    """The courses' second step on a stored transfer model (``fine_tune_further``)."""
    return transfer.fine_tune_further({"transfer": STORED.to_dict()}, "stored", fine_tune_layers=4)


def _stored_model(path: Path):
    """A transfer model as the page stores it (random weights), saved at ``path``."""
    from cnnviz.transfer.bases import base_spec
    from cnnviz.transfer.model import assemble, base_network, cut_base

    spec = base_spec(STORED.base)
    base = cut_base(base_network(spec, (96, 96)), spec.cut_layer, spec.title)
    model = assemble(base, STORED, 2)
    model.save(path)
    return model


def _autoencoder_config():
    return TrainingConfig(autoencoder=AutoencoderConfig(), validation_split=0.0, epochs=2)


# ---- stand-in files in a private Keras cache ---------------------------------------------------


def _fake_keras_home(home: Path) -> None:
    import h5py
    import keras
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    from cnnviz import pretrained

    datasets_dir = home / "datasets"
    (datasets_dir / "fashion-mnist").mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savez(
        datasets_dir / "mnist.npz",
        x_train=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8),
        y_train=(np.arange(40) % 10).astype(np.uint8),
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=(np.arange(20) % 10).astype(np.uint8),
    )
    for prefix, n in (("train", 40), ("t10k", 20)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            header = bytes([0, 0, 8, array.ndim]) + b"".join(
                int(d).to_bytes(4, "big") for d in array.shape
            )
            path = datasets_dir / "fashion-mnist" / f"{prefix}-{kind}-ubyte.gz"
            path.write_bytes(gzip.compress(header + array.tobytes()))
    models_dir = home / "models"
    models_dir.mkdir(parents=True)
    for name in ("vgg16", "inception_v3", "mobilenet_v2"):
        entry = pretrained.info(name)
        keras.utils.set_random_seed(1)
        model = getattr(keras.applications, entry.builder)(include_top=False, weights=None)
        with h5py.File(models_dir / entry.notop_file, "w") as f:
            save_weights_to_hdf5_group(f, model)
        keras.backend.clear_session()


def _fake_zip(path: Path, classes: int, side: int = 48) -> None:
    import cv2

    rng = np.random.default_rng(classes)
    with zipfile.ZipFile(path, "w") as archive:
        for split, count in (("train", 4), ("validation", 2)):
            for k in range(classes):
                for i in range(count):
                    image = rng.integers(0, 256, (side, side + 8, 3), dtype=np.uint8)
                    _, data = cv2.imencode(".png", image)
                    archive.writestr(f"photos/{split}/class{k}/{i}.png", data.tobytes())


# ---- the programs and the counts the page builds -------------------------------------------------


def _programs() -> dict:
    """name -> (program, expected (total, trainable) or None for total only)."""
    out = {}
    for key in EXPERIMENTS:  # a pretrained base: 2 images (VGG16 at 224 px is slow)
        few = 2 if courses.get(key).transfer is not None else 8
        out[f"course:{key}"] = training_code.course_program(key, epochs=1, max_images=few)
    for name, (dataset, options) in PRESET_DATASETS.items():
        cfg = TrainingConfig(architecture=name, epochs=1)
        out[f"preset:{name}"] = training_code.training_program(
            dataset, cfg, epochs=1, max_images=16, dataset_options=options
        )
    for mode in MODES:
        cfg = transfer.recommended_config(mode)
        out[f"transfer:{mode}"] = training_code.training_program(
            "few_shapes", cfg, epochs=1, max_images=2
        )
    out["stored:finetune"] = training_code.training_program(
        "faces", _stored_config(), epochs=1, max_images=4
    )
    out["stored:classifier"] = training_code.training_program(
        "digits", TrainingConfig(continue_from="stored", epochs=3), epochs=1, max_images=16
    )
    out["custom:shapes"] = training_code.training_program(
        "shapes", _custom_config(), epochs=1, max_images=16
    )
    out["autoencoder:digits"] = training_code.training_program(
        "digits", _autoencoder_config(), epochs=1, max_images=16, dataset_options={"upscale": 28}
    )
    return out


def _expected(name: str) -> tuple[int, int | None]:
    """(total, trainable) of the model the page trains (trainable None: not compared)."""
    group, key = name.split(":", 1)
    if group == "course":
        exp = courses.get(key)
        if exp.network is None and exp.transfer is None:  # the default network at its images
            src = training_code.course_source(exp)
            model = training.build_model(src.config, src.input_shape, src.num_classes)
            return int(model.count_params()), None
        counts = courses.counts(exp)
        return counts.total, counts.trainable
    if group == "preset":
        dataset, options = PRESET_DATASETS[key]
        shape, classes = training_code.dataset_shape(dataset, options)
        cfg = TrainingConfig(architecture=key)
        return int(training.build_model(cfg, shape, classes).count_params()), None
    if group == "transfer":
        plan = transfer.describe(transfer.recommended_config(key).transfer, 6)
        return plan.total, plan.trainable
    if group == "stored" and key == "classifier":
        import keras

        return int(keras.models.load_model(STORED_PATH[1]).count_params()), None
    if group == "stored":
        import keras

        model = keras.models.load_model(STORED_PATH[0])
        transfer.set_trainable(model, _stored_config().transfer)
        trainable, frozen = transfer.parameter_counts(model)
        return trainable + frozen, trainable
    if group == "custom":
        shape, classes = training_code.dataset_shape("shapes")
        model = training.build_model(_custom_config(), shape, classes)
        return int(model.count_params()), None
    model = training.build_model(_autoencoder_config(), (28, 28, 1), 10)
    return int(model.count_params()), None


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every program written out and run once in one subprocess: name -> (stdout, error)."""
    import time

    folder = tmp_path_factory.mktemp("codegen")
    home = folder / "keras-home"
    started = time.perf_counter()
    _fake_keras_home(home)
    print(f"stand-in Keras cache: {time.perf_counter() - started:.1f} s")
    programs = _programs()
    STORED_PATH[:] = [folder / "my_transfer_model.keras", folder / "my_model.keras"]
    _stored_model(STORED_PATH[0])
    training.build_model(TrainingConfig(architecture="fashion_cnn"), (28, 28, 1), 10).save(
        STORED_PATH[1]
    )
    listing = {}
    zips = {}
    for name, program in programs.items():
        script = program.script()
        if "ZIP_PATH = " in script:
            exp = courses.get(name.split(":", 1)[1])
            classes = int(exp.num_classes or 2)
            if classes not in zips:
                zips[classes] = folder / f"classes{classes}.zip"
                _fake_zip(zips[classes], classes)
            script = script.replace('ZIP_PATH = "my_images.zip"', f'ZIP_PATH = "{zips[classes]}"')
        path = folder / (re.sub(r"\W", "_", name) + ".py")
        path.write_text(script)
        listing[name] = str(path)
    (folder / "listing.json").write_text(json.dumps(listing))
    env = {
        **os.environ,
        "KERAS_HOME": str(home),
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": "",  # the generated code must not need cnnviz
    }
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(folder / "listing.json"), str(folder / "results.json")],
        cwd=folder, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    print(proc.stderr[-3000:])  # each program's time (shown with pytest -s)
    return json.loads((folder / "results.json").read_text())


def _printed(stdout: str, what: str) -> int:
    found = re.findall(rf"^{what} params: ([\d,]+)$", stdout, flags=re.M)
    assert found, stdout[-2000:]
    return int(found[-1].replace(",", ""))


NAMES = (
    [f"course:{k}" for k in EXPERIMENTS]
    + [f"preset:{k}" for k in PRESET_DATASETS]
    + [f"transfer:{m}" for m in MODES]
    + ["stored:finetune", "stored:classifier", "custom:shapes", "autoencoder:digits"]
)


@pytest.mark.parametrize("name", NAMES)
def test_the_generated_script_builds_the_pages_network(ran, name):
    result = ran[name]
    assert result["error"] is None, result["error"]
    total, trainable = _expected(name)
    assert _printed(result["stdout"], "Total") == total
    if trainable is not None:
        assert _printed(result["stdout"], "Trainable") == trainable
    assert "model.summary" not in result["stdout"]
    assert re.search(r"^Model: ", result["stdout"], flags=re.M)  # model.summary() printed
    assert re.search(r"^test (accuracy|loss) ", result["stdout"], flags=re.M)


def test_every_preset_and_experiment_is_covered():
    assert set(PRESET_DATASETS) == set(architectures.available())
    assert EXPERIMENTS and all(f"course:{k}" in NAMES for k in EXPERIMENTS)


def test_the_notebook_validates_with_one_markdown_cell_per_step():
    program = training_code.course_program("vs_mnist_cnn")
    nb = nbformat.from_dict(program.notebook())
    nbformat.validate(nb)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == len(program.steps)
    assert len(markdown) == len(program.steps) + 2  # the title and the requirements first
    for step, cell in zip(program.steps, markdown[2:], strict=True):
        assert cell.source.startswith("## ") and step.title in cell.source


def test_the_code_is_written_from_the_config_and_uses_no_cnnviz():
    cfg = TrainingConfig(architecture="mnist_cnn", learning_rate=3e-4, batch_size=20, seed=7)
    script = training_code.training_program("digits", cfg).script()
    assert "LEARNING_RATE = 0.0003" in script and "BATCH_SIZE = 20" in script
    assert "SEED = 7" in script and "cnnviz" not in script.replace("cnnviz's", "")
    assert "import cnnviz" not in script and "from cnnviz" not in script


def test_epochs_and_max_images_shorten_the_run_only():
    cfg = TrainingConfig(architecture="mnist_cnn", epochs=5)
    full = training_code.training_program("digits", cfg).script()
    short = training_code.training_program("digits", cfg, epochs=1, max_images=10).script()
    assert "EPOCHS = 5" in full and "EPOCHS = 1" in short and "MAX_IMAGES = 10" in short
    network = lambda s: s[s.index("# %% 5.") : s.index("# %% 6.")]  # noqa: E731
    assert network(full) == network(short)


def test_a_zip_experiment_reads_the_students_archive():
    script = training_code.course_program("tf_cats_vs_dogs").script()
    assert 'ZIP_PATH = "my_images.zip"' in script and "read_zip(ZIP_PATH, 150)" in script


def test_the_contract_takes_a_pair_a_course_key_and_a_page_source():
    from cnnviz import codegen

    cfg = TrainingConfig(architecture="mlp", epochs=2)
    assert codegen.script(("digits", cfg)) == training_code.training_program("digits", cfg).script()
    assert "keras.datasets.mnist.load_data()" in codegen.script("vs_mnist_cnn", epochs=1)
    source = training_code.TrainingSource("shapes", cfg, {"image_size": 48}, (48, 48, 3), 6)
    assert "load_shapes(image_size=48" in codegen.script(source)
    assert nbformat.validate(nbformat.from_dict(codegen.notebook(source))) is None


def test_the_autoencoder_script_carries_the_page_noise_layer_as_it_is():
    """The denoising wrapper's layer is the page's own class, read with inspect."""
    import inspect

    from cnnviz.autoencoder.noisy_input import NoisyInput

    program = training_code.training_program("digits", _autoencoder_config(), epochs=1)
    text = program.script()
    assert inspect.getsource(NoisyInput).strip() in text
