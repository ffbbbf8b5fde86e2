"""L1/L2 regularisation per layer and as weight decay; continuing a stored model's training."""

import keras
import numpy as np
import pytest

from cnnviz import architectures, training
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig, TrainingJob
from tests.cnnviz.conftest import tiny_config, tiny_dataset

SPEC = [
    {"type": "conv2d", "filters": 2, "kernel": 3},
    {"type": "flatten"},
    {"type": "dense", "units": 4},
]


def test_l2_per_layer_appears_in_model_losses():
    spec = [dict(SPEC[0], l2=0.01), SPEC[1], dict(SPEC[2], l1=0.001)]
    model = architectures.build_from_spec(spec, (8, 8, 1), 3, seed=0)
    assert len(model.losses) == 2
    conv = model.get_layer("conv1").kernel
    dense = model.get_layer("dense1").kernel
    expected = {
        0.01 * float(np.sum(np.square(conv.numpy()))),
        0.001 * float(np.sum(np.abs(dense.numpy()))),
    }
    got = {float(keras.ops.convert_to_numpy(loss)) for loss in model.losses}
    assert sorted(got) == pytest.approx(sorted(expected), rel=1e-5)
    assert architectures.build_from_spec(SPEC, (8, 8, 1), 3).losses == []


def test_weight_decay_reaches_every_layer_of_a_preset_and_a_spec():
    cfg = TrainingConfig(architecture="mnist_cnn", l2=1e-4)
    preset = training.build_model(cfg, (28, 28, 1), 10)
    weighted = [la.name for la in preset.layers if getattr(la, "kernel_regularizer", None)]
    assert weighted == ["conv1", "conv2", "conv3", "dense1"]  # not the output layer
    assert len(preset.losses) == 4
    # A layer's own setting wins over the global weight decay.
    spec = [dict(SPEC[0], l1=0.5), SPEC[1], SPEC[2]]
    model = training.build_model(TrainingConfig(architecture=spec, l2=1e-3), (8, 8, 1), 3)
    assert model.get_layer("conv1").kernel_regularizer.get_config() == {"l1": 0.5, "l2": 0.0}
    assert model.get_layer("dense1").kernel_regularizer.get_config()["l2"] == pytest.approx(1e-3)


@pytest.mark.parametrize(
    ("row", "message"),
    [({"l2": -1}, "L2 regularisation"), ({"l1": "lots"}, "L1 regularisation")],
)
def test_bad_regularisation_is_named(row, message):
    problems = architectures.validate_spec([dict(SPEC[0], **row)], (8, 8, 1), 3)
    assert problems and message in problems[0]
    with pytest.raises(InputError, match="weight decay"):
        TrainingConfig(l2=2).validate()


def test_prelu_and_swish_build_with_the_counted_parameters():
    spec = [
        {"type": "conv2d", "filters": 3, "kernel": 3, "activation": "prelu"},
        {"type": "dense", "units": 4, "activation": "swish"},
    ]
    model = architectures.build_from_spec(spec, (8, 8, 1), 3)
    assert model.get_layer("conv1_act").count_params() == 3  # one slope per channel
    assert architectures.summary_table(model) == architectures.spec_summary(spec, (8, 8, 1), 3)


def test_config_round_trips_through_stored_metadata():
    cfg = tiny_config(l2=1e-4, schedule="constant", augmentation=training.Augmentation.courses())
    again = TrainingConfig.from_dict(cfg.to_dict())
    assert again == cfg


def test_continued_training_starts_from_the_stored_weights(tmp_path):
    ds = tiny_dataset(n=128, classes=3)
    store = ModelStore(tmp_path)
    first = TrainingJob(
        ds, tiny_config(epochs=4, schedule="constant"), store=store, owner="me"
    ).start()
    assert first.wait(120) and first.status == "finished", first.error
    stored_last = first.history["loss"][-1]
    model_id = first.result.model_id
    meta = store.info(model_id, "me")
    cfg = TrainingConfig.from_dict(meta["training"])
    cfg.epochs, cfg.continue_from = 1, model_id
    again = TrainingJob(ds, cfg, store=store, owner="me").start()
    fresh = TrainingJob(ds, tiny_config(epochs=1, schedule="constant")).start()
    assert again.wait(120) and fresh.wait(120)
    assert again.status == "finished", again.error
    resumed_first = again.history["loss"][0]
    # The first epoch goes on from where the stored model left off (no worse than its last
    # epoch; it keeps learning), far below a fresh start.
    assert resumed_first <= 1.2 * stored_last + 0.02
    assert resumed_first < 0.6 * fresh.history["loss"][0]
    saved = store.info(again.result.model_id, "me")
    assert saved["training"]["continue_from"] == model_id
    # The store's own (cached) model was not trained further.
    np.testing.assert_array_equal(
        store.load(model_id, "me").model.get_weights()[0], first.model.get_weights()[0]
    )


def test_continue_from_an_unknown_model_fails_plainly(tmp_path):
    cfg = tiny_config(continue_from="no-such-model")
    job = TrainingJob(tiny_dataset(), cfg, store=ModelStore(tmp_path), owner="me").start()
    assert job.wait(60)
    assert job.status == "failed"
    assert "Traceback" not in (job.error or "")
