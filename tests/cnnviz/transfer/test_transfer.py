"""Transfer learning on a tiny pretrained-like base built in code (one test: the bundled one)."""

import urllib.request

import numpy as np
import pytest

from cnnviz import attribution, datasets, models, pretrained, training, transfer
from cnnviz.errors import InputError
from cnnviz.models import ImageModel, preprocessing
from cnnviz.store import ModelStore
from cnnviz.training import Extracting, Finished, TrainingConfig, TrainingJob
from cnnviz.transfer import TransferConfig
from tests.cnnviz.conftest import run_job
from tests.cnnviz.tiny_bases import tiny_imagenet

TINY = "tiny_test_base"


def _tiny_pretrained():
    """A 16x16 'ImageNet' model (positive kernels) whose BatchNorms have non-trivial statistics."""
    model = tiny_imagenet(positive=True)
    rng = np.random.default_rng(0)
    for name in ("bn1", "bn2"):  # non-trivial statistics, so a change would show
        bn = model.get_layer(name)
        gamma, beta, mean, var = bn.get_weights()
        bn.set_weights(
            [gamma * 1.5, beta + 0.1, rng.normal(0, 0.5, mean.shape), var + rng.random(var.shape)]
        )
    return model


_SHARED = {}


def _shared_model():
    if "m" not in _SHARED:
        _SHARED["m"] = _tiny_pretrained()
    return _SHARED["m"]


pytestmark = pytest.mark.usefixtures("no_leftover_jobs")


@pytest.fixture(autouse=True)
def _tiny_base():
    transfer.register_base(
        transfer.BaseSpec(
            name=TINY,
            title="Tiny",
            input_size=(16, 16),
            preprocessing=preprocessing.torch_mode(),  # ImageNet mean/std, not 0..1
            cut_layer="act2",
            load=_shared_model,
        )
    )
    yield


def dataset(n=48, size=12, channels=1, classes=2, name="tinyset"):
    """Class k = images of brightness ~ k (learnable from any base)."""
    rng = np.random.default_rng(0)

    def make(count):
        y = np.arange(count) % classes
        level = (y * (180 // max(1, classes - 1)) + 30).astype(np.float32)
        x = level[:, None, None, None] + rng.normal(0, 8, (count, size, size, channels))
        return np.clip(x, 0, 255).astype(np.uint8), y.astype(np.int64)

    x_train, y_train = make(n)
    x_test, y_test = make(16)
    return datasets.Dataset(
        name, x_train, y_train, x_test, y_test, [f"c{i}" for i in range(classes)]
    )


def config(mode="features", **kwargs):
    tkw = {k: kwargs.pop(k) for k in list(kwargs) if k in TransferConfig.__dataclass_fields__}
    tcfg = TransferConfig(
        **{"base": TINY, "mode": mode, "head_units": 8, "head_dropout": 0.0, **tkw}
    )
    defaults = {"epochs": 4, "batch_size": 8, "learning_rate": 5e-2, "validation_split": 0.0}
    return TrainingConfig(transfer=tcfg, **{**defaults, **kwargs})


def base_weights(model):
    return {
        layer.name: [np.array(w) for w in layer.get_weights()]
        for layer in transfer.base_layers(model)
        if layer.get_weights()
    }


def pretrained_weights():
    src = _shared_model()
    names = [
        layer.name for layer in src.layers if layer.get_weights() and layer.name != "predictions"
    ]
    return {name: [np.array(w) for w in src.get_layer(name).get_weights()] for name in names}


def assert_same(a, b, names=None):
    for name in names or a:
        for wa, wb in zip(a[name], b[name], strict=True):
            np.testing.assert_array_equal(wa, wb, err_msg=name)


def test_model_is_flat_base_plus_head_with_pretrained_names():
    model = transfer.build_model(TransferConfig(base=TINY, head_units=8), num_classes=3)
    names = [layer.name for layer in model.layers]
    assert names[:7] == ["input", "conv1", "bn1", "act1", "conv2", "bn2", "act2"]
    assert names[7:] == ["transfer_pool", "transfer_dense", "transfer_dropout", "transfer_output"]
    assert model.get_layer("transfer_dropout").rate == 0.5
    assert model.outputs[0].shape[-1] == 3
    assert_same(base_weights(model), pretrained_weights())
    # the shared pretrained model is a different set of layers, untouched
    assert model.get_layer("conv1") is not _shared_model().get_layer("conv1")
    assert _shared_model().get_layer("conv1").trainable


def test_flatten_head_and_binary_output():
    model = transfer.build_model(TransferConfig(base=TINY, pooling="flatten"), num_classes=2)
    assert model.get_layer("transfer_flatten").output.shape[-1] == 8 * 8 * 8
    assert model.outputs[0].shape[-1] == 1


@pytest.mark.parametrize("mode", ["features", "frozen"])
def test_frozen_base_is_bit_identical_after_training(mode):
    cfg = config(mode, augmentation=training.Augmentation(flip="horizontal"))
    job = run_job(dataset(), cfg)
    assert_same(base_weights(job.model), pretrained_weights())
    head = job.model.get_layer("transfer_output").get_weights()[0]
    fresh = transfer.build_model(cfg.transfer, 2).get_layer("transfer_output").get_weights()[0]
    assert not np.array_equal(head, fresh)  # the head did learn
    assert job.result.test_accuracy > 0.9


def test_finetune_changes_only_the_top_layers_and_keeps_bn_statistics():
    cfg = config("finetune", fine_tune_layers=3)  # conv2, bn2, act2
    job = run_job(dataset(), cfg)
    before, after = pretrained_weights(), base_weights(job.model)
    assert_same(after, before, ["conv1", "bn1", "bn2"])  # bn2 is in the top 3 but stays frozen
    assert not np.array_equal(after["conv2"][0], before["conv2"][0])
    table = {row["layer"]: row["trainable"] for row in transfer.layer_table(job.model)}
    assert table == {
        "conv1": False, "bn1": False, "act1": False, "conv2": True, "bn2": False, "act2": True,
    }  # fmt: skip


@pytest.mark.parametrize("mode", ["frozen", "finetune"])
def test_batchnorm_runs_in_inference_mode_while_training(mode):
    """training=True gives the same output: BatchNorm uses its stored statistics, no dropout."""
    cfg = TransferConfig(base=TINY, mode=mode, fine_tune_layers=3, head_dropout=0.0)
    model = transfer.build_model(cfg, 3)
    x = np.random.default_rng(0).normal(0, 1, (4, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(
        np.asarray(model(x, training=True)), np.asarray(model(x, training=False)), atol=1e-6
    )


def test_finetune_from_a_head_trained_first():
    job = run_job(
        dataset(),
        config("finetune", fine_tune_layers=2, head_epochs=4, epochs=2, learning_rate=1e-3),
    )
    assert any(isinstance(e, Extracting) for e in job.events())
    assert job.result.test_accuracy > 0.9


def test_parameter_counts_follow_the_mode():
    def counts(mode, **kw):
        model = transfer.build_model(TransferConfig(base=TINY, mode=mode, head_units=8, **kw), 2)
        return transfer.parameter_counts(model)

    head = (8 * 8 + 8) + (8 + 1)
    total = sum(int(np.prod(w.shape)) for w in _shared_model().weights) - (8 * 10 + 10)
    assert counts("features") == (head, total)
    trainable, frozen = counts("finetune", fine_tune_layers=3)
    assert trainable == head + (3 * 3 * 4 * 8 + 8)  # conv2 only: bn2 stays frozen
    assert trainable + frozen == head + total
    # More layers than the base has: the whole base trains (BatchNorm still frozen),
    # not the few a negative slice start would leave.
    trainable, frozen = counts("finetune", fine_tune_layers=50)
    bn = 2 * (4 + 8)  # gamma and beta of bn1 and bn2
    assert trainable == head + total - 2 * bn
    text = transfer.summary_text(transfer.build_model(TransferConfig(base=TINY), 2))
    assert "Trainable params:" in text and "Non-trainable params:" in text


def test_feature_cache_miss_then_hit():
    model = transfer.build_model(TransferConfig(base=TINY), 2)
    images = dataset().x_train
    seen = []
    first, cached1 = transfer.extract_features(model, images, batch_size=16, progress=seen.append)
    second, cached2 = transfer.extract_features(model, images, batch_size=16)
    assert (cached1, cached2) == (False, True)
    np.testing.assert_array_equal(first, second)
    assert [p.done for p in seen] == [16, 32, 48] and seen[-1].total == 48
    other, cached3 = transfer.extract_features(model, images[:-1], batch_size=16)
    assert not cached3 and len(other) == 47  # other images: another key
    flat = transfer.build_model(TransferConfig(base=TINY, pooling="flatten"), 2)
    assert transfer.features_key(images, flat) != transfer.features_key(images, model)


def test_feature_cache_keeps_the_newest_files_under_its_cap():
    model = transfer.build_model(TransferConfig(base=TINY), 2)
    images = dataset().x_train
    for n in (10, 20, 30):
        transfer.extract_features(model, images[:n])
    files = sorted(transfer.features_dir().glob("*.npy"), key=lambda f: f.stat().st_mtime)
    newest = files[-1].stat().st_size
    assert transfer.prune_features(limit_bytes=newest) == 2
    assert list(transfer.features_dir().glob("*.npy")) == [files[-1]]


def test_second_head_on_same_data_reads_the_cache():
    ds = dataset()
    run_job(ds, config("features"))
    job = run_job(ds, config("features", head_units=16))
    cached = [e.cached for e in job.events() if isinstance(e, Extracting)]
    assert cached and all(cached)
    assert job.result.test_accuracy > 0.9


def test_grayscale_is_repeated_to_rgb_and_resized_per_batch():
    model = transfer.build_model(TransferConfig(base=TINY), 2)
    gray = np.random.default_rng(0).integers(0, 256, (3, 12, 12, 1), dtype=np.uint8)
    rgb = np.repeat(gray, 3, axis=-1)
    f_gray, _ = transfer.extract_features(model, gray, cache=False)
    f_rgb, _ = transfer.extract_features(model, rgb, cache=False)
    np.testing.assert_allclose(f_gray, f_rgb, atol=1e-6)
    wrapper = training.training_wrapper(
        model, (12, 12, 1), training.Augmentation(), 0, preprocessing.torch_mode()
    )
    assert tuple(wrapper.inputs[0].shape[1:]) == (12, 12, 1)
    expected = model.predict_on_batch(
        preprocessing.torch_mode().apply(
            np.stack([__import__("cv2").resize(im, (16, 16)) for im in rgb])
        )
    )
    np.testing.assert_allclose(np.asarray(wrapper(gray, training=False)), expected, atol=1e-3)


def test_stored_model_is_whole_with_base_preprocessing_and_metadata(tmp_path):
    store = ModelStore(tmp_path / "store")
    ds = dataset(channels=1)
    job = TrainingJob(ds, config("features"), store=store, owner="me", page="pages/transfer.py")
    job.start()
    assert job.wait(240) and job.status == "finished", job.error
    loaded = store.load(job.result.model_id, owner="me")
    meta = loaded.info
    assert (
        meta["mode"] == "features" and meta["base"] == TINY and meta["page"] == "pages/transfer.py"
    )
    assert meta["trainable_params"] == (8 * 8 + 8) + (8 + 1)
    assert meta["non_trainable_params"] > 0
    assert meta["input_shape"] == [16, 16, 3]
    assert loaded.preprocessing == preprocessing.torch_mode()
    assert loaded.input_size == (16, 16)
    assert_same(base_weights(loaded.model), pretrained_weights())
    # the whole stored model on the test images gives the reported evaluation
    probs = loaded.predict_proba(datasets.to_rgb(ds.x_test))
    np.testing.assert_allclose(probs, job.result.evaluation.probabilities, atol=1e-4)
    # inspection pages: the default Grad-CAM layer is inside the base
    assert models.default_cam_layer(loaded) == "act2"
    heat = attribution.grad_cam(loaded, datasets.to_rgb(ds.x_test[:2]))
    assert heat.shape[0] == 2 and np.isfinite(heat).all()
    # The preprocessing travels with the stored model, not as an attribute of the Keras model.
    assert not hasattr(job.model, "_cnnviz_preprocessing")
    from_store, _ = transfer.extract_features(loaded, ds.x_test, cache=False)
    explicit, _ = transfer.extract_features(
        job.model, ds.x_test, preprocessing=preprocessing.torch_mode(), cache=False
    )
    np.testing.assert_allclose(from_store, explicit, atol=1e-5)


def test_imagenet_preprocessing_model_trains_evaluates_and_saves_from_scratch_path(tmp_path):
    """A frozen-base model (torch preprocessing) evaluates through its Preprocessing, not /255."""
    ds = dataset(channels=3)
    job = run_job(ds, config("frozen"), store=ModelStore(tmp_path / "s"))
    ev = job.result.evaluation
    direct = job.model.predict(
        preprocessing.torch_mode().apply(
            np.stack([__import__("cv2").resize(im, (16, 16)) for im in ds.x_test])
        ),
        verbose=0,
    )[:, 0]
    np.testing.assert_allclose(ev.probabilities[:, 1], direct, atol=1e-4)


def test_bad_settings_are_input_errors():
    with pytest.raises(InputError, match="mode"):
        TransferConfig(mode="magic").validate()
    with pytest.raises(InputError, match="at least one"):
        TransferConfig(base=TINY, mode="finetune", fine_tune_layers=0).validate()
    with pytest.raises(InputError, match="Unknown base"):
        TransferConfig(base="alexnet").validate()


def test_keras_application_offline_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(pretrained, "keras_models_dir", lambda: tmp_path / "models")

    def no_network(*args, **kwargs):
        raise __import__("urllib.error").error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(InputError, match=r"vgg16_weights_tf_dim_ordering_tf_kernels\.h5"):
        transfer.build_model(TransferConfig(base="vgg16"), 2)


@pytest.mark.slow
def test_bundled_base_on_faces_beats_chance_and_stays_frozen():
    ds = datasets.load("faces")
    cfg = TrainingConfig(
        transfer=TransferConfig(mode="features"), epochs=5, batch_size=32, validation_split=0.0
    )
    job = run_job(ds, cfg)
    model = job.model
    assert models.default_cam_layer(model) == "head_activation"
    src = pretrained.load(pretrained.BUNDLED).model
    for name in ("stem_conv", "stem_bn", "block7a_project_bn", "head_bn"):
        assert_same(
            {name: model.get_layer(name).get_weights()}, {name: src.get_layer(name).get_weights()}
        )
    assert job.result.test_accuracy > 0.8
    assert any(isinstance(e, Finished) for e in job.events())


def test_keras_application_base_is_cut_below_its_classifier():
    """MobileNetV2 with random weights (no download): cut at out_relu, names kept."""
    transfer.register_base(
        transfer.BaseSpec(
            name="mobilenet_v2_random",
            title="MobileNetV2 (random weights)",
            input_size=(224, 224),
            preprocessing=preprocessing.tf_mode(),
            cut_layer=transfer.CUT_LAYERS["mobilenet_v2"],
            load=lambda: pretrained.build_keras_application("mobilenet_v2"),
        )
    )
    cfg = TransferConfig(base="mobilenet_v2_random", mode="finetune", fine_tune_layers=10)
    model = transfer.build_model(cfg, 5)
    names = [layer.name for layer in model.layers]
    assert names.index("out_relu") == names.index("transfer_pool") - 1
    assert "predictions" not in names and names[-1] == "transfer_output"
    plan = transfer.describe(cfg, 5)
    assert plan.layers == transfer.layer_table(model)
    assert (plan.trainable, plan.non_trainable) == transfer.parameter_counts(model)


def test_every_registered_base_is_a_complete_entry():
    listed = [spec.name for spec in transfer.bases()]
    assert listed[:4] == list(transfer.COURSE_BASES)
    for spec in transfer.BASES.available():
        assert spec.key == spec.name and spec.title and spec.cut_layer
        assert len(spec.input_size) == 2 and all(side > 0 for side in spec.input_size)
        assert spec.preprocessing.channels == 3 and isinstance(spec.offline, bool)
        assert transfer.base_spec(spec.name) is spec
    assert transfer.base_spec(pretrained.BUNDLED).offline


def test_preprocessing_of_reads_the_image_model_or_the_base():
    model = transfer.build_model(TransferConfig(base=TINY), 2)
    assert transfer.base_name(model) == TINY
    assert transfer.preprocessing_of(model) == preprocessing.torch_mode()
    image_model = ImageModel("tiny", model, (16, 16), preprocessing.tf_mode(), ["a", "b"])
    assert transfer.preprocessing_of(image_model) == preprocessing.tf_mode()
    images = dataset(channels=3).x_train[:4]
    assert transfer.features_key(images, image_model) != transfer.features_key(images, model)
