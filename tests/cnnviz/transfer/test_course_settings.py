"""Transfer learning at the courses' settings: input size, cut layer, head, BatchNorm, pixels.

The courses' printed parameter counts are rebuilt by :func:`transfer.describe` with no weight
file (the network is built with random weights); the rest runs on a tiny base built in code.
"""

import urllib.error
import urllib.request

import keras
import numpy as np
import pytest

from cnnviz import pretrained, transfer
from cnnviz.errors import InputError
from cnnviz.models import preprocessing
from cnnviz.training import TrainingConfig
from cnnviz.transfer import TransferConfig
from tests.cnnviz.tiny_bases import tiny_imagenet

SIZED = "tiny_sized_base"


def _tiny(size=16, seed=1):
    """A 'pretrained' fully convolutional base (conv, BN, ReLU twice) with a classifier."""
    return tiny_imagenet(size, seed)


_SHARED = {}


def _pretrained():
    if "m" not in _SHARED:
        _SHARED["m"] = _tiny(seed=7)
    return _SHARED["m"]


@pytest.fixture(autouse=True)
def _sized_base():
    transfer.register_base(
        transfer.BaseSpec(
            name=SIZED,
            title="Tiny sized",
            input_size=(16, 16),
            preprocessing=preprocessing.torch_mode(),
            cut_layer="act2",
            load=_pretrained,
            architecture=lambda size: _tiny(size[0], seed=3),
            input_sizes=(8, 64),
        )
    )
    yield


@pytest.fixture
def no_weight_files(monkeypatch, tmp_path):
    """An empty Keras cache and no network: any weight download would fail."""
    monkeypatch.setattr(pretrained, "keras_models_dir", lambda: tmp_path / "models")

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


# The courses' printed figures (issue 17): (config, num_classes, total, trainable, frozen).
COURSE_COUNTS = [
    pytest.param(  # Vanschoren: VGG16 features at 150 px, Flatten, Dense 256, Dropout, 1 sigmoid
        dict(base="vgg16", input_size=150, pooling="flatten", head_units=256, head_dropout=0.5),
        2, 16_812_353, 2_097_665, 14_714_688, id="vgg16-150-features",
    ),
    pytest.param(  # LearnOpenCV: VGG16 at 224, last 4 layers fine-tuned, Dense 1024, 3 classes
        dict(base="vgg16", input_size=224, mode="finetune", fine_tune_layers=4,
             pooling="flatten", head_units=1024, head_dropout=0.5),
        3, 40_408_899, 32_773_635, 7_635_264, id="vgg16-224-finetune4",
    ),
    pytest.param(  # TensorFlow course: InceptionV3 cut at mixed7, 150 px, Dense 1024, Dense 1
        dict(base="inception_v3", input_size=150, cut_layer="mixed7", pooling="flatten",
             head_units=1024, head_dropout=0.2),
        1, None, 38_537_217, None, id="inception-mixed7-150",
    ),
]  # fmt: skip


@pytest.mark.parametrize("settings, classes, total, trainable, frozen", COURSE_COUNTS)
def test_describe_gives_the_courses_counts_without_weight_files(
    no_weight_files, settings, classes, total, trainable, frozen
):
    plan = transfer.describe(TransferConfig(**settings), classes)
    assert plan.trainable == trainable
    if total is not None:
        assert (plan.total, plan.non_trainable) == (total, frozen)
    assert plan.total == plan.trainable + plan.non_trainable
    assert plan.layers[-1]["layer"] == settings.get("cut_layer", "block5_pool")
    assert [r["layer"] for r in plan.head][-1] == "transfer_output"


def test_binary_head_is_one_sigmoid_unit_for_one_or_two_classes():
    one = transfer.describe(TransferConfig(base=SIZED, head_units=4), 1)
    two = transfer.describe(TransferConfig(base=SIZED, head_units=4), 2)
    assert one.head[-1]["params"] == two.head[-1]["params"] == 4 + 1


@pytest.mark.parametrize(
    "settings, match",
    [
        (dict(input_size=4), "Input size"),
        (dict(input_size=1000), "Input size"),
        (dict(input_size="big"), "Input size"),
        (dict(preprocessing="magic"), "Preprocessing"),
        (dict(head_units=-1), "Head units"),
        (dict(cut_layer=""), "Cut layer"),
    ],
)
def test_bad_course_settings_are_input_errors(settings, match):
    with pytest.raises(InputError, match=match):
        TransferConfig(base=SIZED, **settings).validate()


def test_inception_refuses_a_size_below_75():
    with pytest.raises(InputError, match="75"):
        TransferConfig(base="inception_v3", input_size=64).validate()
    TransferConfig(base="inception_v3", input_size=75).validate()
    TransferConfig(base="vgg16", input_size=150, head_units=1024).validate()


def test_build_at_another_size_keeps_the_pretrained_weights():
    model = transfer.build_model(TransferConfig(base=SIZED, input_size=32), 3)
    assert transfer.model_input_size(model) == (32, 32)
    src = _pretrained()
    for name in ("conv1", "bn1", "conv2", "bn2"):
        mine, theirs = model.get_layer(name).get_weights(), src.get_layer(name).get_weights()
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    assert model.get_layer("transfer_pool").output.shape[-1] == 8


def test_cut_layer_is_chosen_and_listed():
    cfg = TransferConfig(base=SIZED, cut_layer="act1", pooling="flatten", head_units=0)
    model = transfer.build_model(cfg, 3)
    names = [layer.name for layer in model.layers]
    assert "conv2" not in names and names.index("act1") == names.index("transfer_flatten") - 1
    assert model.get_layer("transfer_flatten").output.shape[-1] == 16 * 16 * 4
    plan = transfer.describe(cfg, 3)
    assert (plan.trainable, plan.non_trainable) == transfer.parameter_counts(model)
    assert transfer.cut_layers(SIZED) == ["conv1", "bn1", "act1", "conv2", "bn2", "act2"]
    with pytest.raises(InputError, match="avg_pool"):  # 2-D output: not a place to cut
        transfer.describe(TransferConfig(base=SIZED, cut_layer="avg_pool"), 3)
    with pytest.raises(InputError, match="nowhere"):
        transfer.describe(TransferConfig(base=SIZED, cut_layer="nowhere"), 3)


def test_trainable_batchnorm_in_fine_tuning():
    frozen_bn = TransferConfig(base=SIZED, mode="finetune", fine_tune_layers=3, head_units=0)
    free_bn = TransferConfig(
        base=SIZED, mode="finetune", fine_tune_layers=3, head_units=0, trainable_batchnorm=True
    )
    model = transfer.build_model(free_bn, 3)
    assert model.get_layer("bn2").trainable and not model.get_layer("bn1").trainable
    a, b = transfer.describe(frozen_bn, 3), transfer.describe(free_bn, 3)
    assert b.trainable - a.trainable == 2 * 8  # gamma and beta of bn2; its statistics stay
    assert b.total == a.total
    assert (b.trainable, b.non_trainable) == transfer.parameter_counts(model)


def test_rescale_preprocessing_feeds_pixels_over_255():
    cfg = TrainingConfig(transfer=TransferConfig(base=SIZED, preprocessing="rescale"))
    assert cfg.run_kind.preprocessing(cfg, 3) == preprocessing.unit()
    base = TrainingConfig(transfer=TransferConfig(base=SIZED))
    assert base.run_kind.preprocessing(base, 3) == preprocessing.torch_mode()


def test_settings_round_trip_through_a_dict():
    cfg = TransferConfig(
        base=SIZED, input_size=24, cut_layer="act1", trainable_batchnorm=True,
        preprocessing="rescale", head_units=1024,
    )  # fmt: skip
    assert TransferConfig(**cfg.to_dict()) == cfg


def test_a_stored_transfer_model_is_fine_tuned_further_keeping_its_head(tmp_path):
    """The course's second step: train the head, save; then unfreeze the top, small rate."""
    from cnnviz.store import ModelStore
    from cnnviz.training import TrainingJob
    from tests.cnnviz.conftest import tiny_dataset

    store = ModelStore(tmp_path / "store")
    ds = tiny_dataset(n=32, size=12, channels=3)
    first = TrainingConfig(
        transfer=TransferConfig(base=SIZED, head_units=8, head_dropout=0.0),
        epochs=4, batch_size=8, learning_rate=5e-2, validation_split=0.0,
    )  # fmt: skip
    job = TrainingJob(ds, first, store=store, owner="me")
    job.start()
    assert job.wait(240) and job.status == "finished", job.error
    stored_id = job.result.model_id
    head = store.load(stored_id, owner="me").model.get_layer("transfer_output").get_weights()

    second = transfer.fine_tune_further(
        store.info(stored_id, owner="me"), stored_id, fine_tune_layers=3, epochs=1
    )
    assert second.continue_from == stored_id and second.learning_rate == 1e-5
    assert second.optimizer == "rmsprop" and second.schedule == "constant"
    assert second.transfer.mode == "finetune" and second.transfer.head_epochs == 0
    job2 = TrainingJob(ds, second, store=store, owner="me")
    job2.start()
    assert job2.wait(240) and job2.status == "finished", job2.error
    table = {row["layer"]: row["trainable"] for row in transfer.layer_table(job2.model)}
    assert table["conv2"] and not table["conv1"]
    after = job2.model.get_layer("transfer_output").get_weights()
    for a, b in zip(after, head, strict=True):  # the stored head, moved by 1e-5 steps only
        np.testing.assert_allclose(a, b, atol=1e-3)
    assert job2.result.test_accuracy >= job.result.test_accuracy - 0.1


def test_a_notop_weight_file_is_enough_for_a_base(no_weight_files):
    """The TensorFlow course ships the base alone (``..._notop.h5``): it is accepted."""
    import h5py

    # Keras 3 writes only .weights.h5 files with save_weights; the courses' files are the
    # legacy HDF5 layout, which this private function writes (the test's stand-in file).
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    entry = pretrained.info("mobilenet_v2")
    assert entry.notop_file == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    assert pretrained.info("vgg16").notop_file.endswith("_kernels_notop.h5")
    assert transfer.base_spec("mobilenet_v2").offline is False
    keras.utils.set_random_seed(5)
    saved = keras.applications.MobileNetV2(include_top=False, weights=None)
    folder = pretrained.keras_models_dir()
    folder.mkdir(parents=True)
    with h5py.File(folder / entry.notop_file, "w") as f:
        save_weights_to_hdf5_group(f, saved)
    assert transfer.base_spec("mobilenet_v2").offline
    model = transfer.build_model(TransferConfig(base="mobilenet_v2", input_size=160), 2)
    assert transfer.model_input_size(model) == (160, 160)
    np.testing.assert_array_equal(
        model.get_layer("Conv1").get_weights()[0], saved.get_layer("Conv1").get_weights()[0]
    )
