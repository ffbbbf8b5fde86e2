"""Every registered run kind trains through ``TrainingJob`` and stores a model that loads back.

The kinds come from the registry, so a new kind is tested by being registered: give it a
tiny config in ``TINY_SETTINGS`` (a kind without one fails here, on purpose).
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnviz import runkinds, training, transfer
from cnnviz.autoencoder import AutoencoderConfig
from cnnviz.errors import InputError
from cnnviz.models import preprocessing
from cnnviz.store import ModelStore
from cnnviz.training import Finished, RunKind, RunSettings, TrainingConfig
from cnnviz.transfer import TransferConfig
from tests.cnnviz.conftest import run_job, tiny_dataset

pytestmark = pytest.mark.usefixtures("no_leftover_jobs")
ROOT = Path(__file__).resolve().parents[3]
TINY_BASE = "run_kinds_tiny_base"


def _tiny_base_model():
    inputs = keras.Input((8, 8, 3), name="input")
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = keras.layers.ReLU(name="act")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg")(x)
    return keras.Model(inputs, keras.layers.Dense(10, name="predictions")(x), name="tiny")


_BASE = {}


def _shared_base():
    return _BASE.setdefault("m", _tiny_base_model())


transfer.register_base(
    transfer.BaseSpec(
        name=TINY_BASE,
        title="Tiny base",
        input_size=(8, 8),
        preprocessing=preprocessing.torch_mode(),
        cut_layer="act",
        load=_shared_base,
    )
)

# The smallest config of each kind: one epoch on 8 × 8 images.
TINY_SETTINGS = {
    "classifier": {
        "architecture": [{"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"}]
    },
    "transfer": {"transfer": TransferConfig(base=TINY_BASE, head_units=4, head_dropout=0.0)},
    "autoencoder": {"autoencoder": AutoencoderConfig(filters=2)},
}


def tiny_config(kind: RunKind) -> TrainingConfig:
    if kind.key not in TINY_SETTINGS:
        pytest.fail(f"Give the run kind {kind.key!r} a tiny config in TINY_SETTINGS.")
    common = {"epochs": 1, "batch_size": 8, "learning_rate": 0.01, "validation_split": 0.0}
    return TrainingConfig(**common, **TINY_SETTINGS[kind.key])


def test_the_registry_holds_the_three_kinds():
    keys = [kind.key for kind in runkinds.available()]
    assert keys[0] == "classifier"
    assert {"classifier", "transfer", "autoencoder"} <= set(keys)
    for kind in runkinds.available():
        assert kind.title and kind.help
        assert kind.settings_type is None or issubclass(kind.settings_type, RunSettings)
        assert kind.settings_type is None or kind.settings_type.kind == kind.key


@pytest.mark.parametrize("key", [kind.key for kind in runkinds.available()])
def test_every_kind_trains_one_epoch_and_its_model_loads_back(tmp_path, key):
    kind = runkinds.get(key)
    cfg = tiny_config(kind)
    assert cfg.run_kind is kind
    store = ModelStore(tmp_path / "store")
    ds = tiny_dataset(n=16, size=8, channels=1, classes=2, n_test=8)
    job = run_job(ds, cfg, store=store, owner="me", name=f"{key} run")
    assert job.kind is kind and isinstance(job.events()[-1], Finished)
    assert job.result.epochs_run == 1 and job.result.model_id
    meta = store.info(job.result.model_id, "me")
    assert TrainingConfig.from_dict(meta["training"]) == cfg  # the settings come back too
    loaded = store.load(job.result.model_id, "me")
    assert loaded.preprocessing == job.preprocessing
    assert loaded.input_size == (8, 8)
    images = np.repeat(ds.x_test, loaded.preprocessing.channels, axis=-1)  # gray → RGB if asked
    x = loaded.preprocessing.apply(images)
    np.testing.assert_allclose(
        loaded.model.predict(x, verbose=0), job.model.predict(x, verbose=0), atol=1e-5
    )


def test_a_config_has_one_kind_under_its_own_field():
    with pytest.raises(InputError, match="one way only"):
        TrainingConfig(
            transfer=TransferConfig(base=TINY_BASE), autoencoder=AutoencoderConfig()
        ).validate()
    with pytest.raises(InputError, match="belong in transfer="):
        TrainingConfig(autoencoder=TransferConfig(base=TINY_BASE)).validate()
    assert TrainingConfig().run_kind.key == "classifier"


def test_unknown_kind_lists_the_choices():
    with pytest.raises(InputError, match="classifier"):
        training.RUN_KINDS.get("gan")


def test_a_stored_kind_is_found_without_importing_its_package():
    # A fresh interpreter that imports training only: the registry wires itself.
    code = (
        "import sys\n"
        "from cnnviz.training import TrainingConfig\n"
        "assert 'cnnviz.autoencoder' not in sys.modules\n"
        "cfg = TrainingConfig.from_dict({'autoencoder': {'noise_level': 0.3}, 'epochs': 2})\n"
        "print(type(cfg.autoencoder).__name__, cfg.run_kind.key, cfg.autoencoder.noise_level)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-3:] == ["AutoencoderConfig", "autoencoder", "0.3"]
