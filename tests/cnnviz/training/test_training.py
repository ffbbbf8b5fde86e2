import keras
import numpy as np
import pytest

from cnnviz import datasets, training
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.training import (
    Augmentation,
    BatchEnd,
    EpochEnd,
    Failed,
    Finished,
    JobStarted,
    Stopped,
    TrainingConfig,
    TrainingJob,
)
from tests.cnnviz.conftest import tiny_config, tiny_dataset, wait_for

pytestmark = pytest.mark.usefixtures("no_leftover_jobs")
TERMINAL = (Finished, Stopped, Failed)


def assert_in_order(events, epochs=None):
    assert isinstance(events[0], JobStarted)
    assert isinstance(events[-1], TERMINAL)
    assert sum(isinstance(e, TERMINAL) for e in events) == 1
    position = (0, 0)
    epoch_ends = []
    for event in events[1:-1]:
        if isinstance(event, BatchEnd):
            assert (event.epoch, event.batch) > position
            assert event.epoch == len(epoch_ends) + 1
            position = (event.epoch, event.batch)
        else:
            assert isinstance(event, EpochEnd)
            assert event.epoch == len(epoch_ends) + 1
            epoch_ends.append(event)
            position = (event.epoch, 10**9)
    if epochs is not None:
        assert [e.epoch for e in epoch_ends] == list(range(1, epochs + 1))
    return epoch_ends


# ---- a real, small job on shapes --------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_job(tmp_path_factory):
    ds = datasets.load(
        "shapes",
        classes=["circle", "square", "triangle"],
        n_train=1500,
        n_test=150,
        noise=0.02,
        image_size=24,
    )
    store = ModelStore(tmp_path_factory.mktemp("store"))
    config = TrainingConfig(architecture="mnist_cnn", epochs=8, batch_size=16, seed=0)
    job = TrainingJob(ds, config, store=store, owner="student-1", name="shapes test")
    job.start()
    assert job.wait(600)
    return job, store


@pytest.mark.slow
def test_small_shapes_job_learns(shapes_job):
    job, _ = shapes_job
    assert job.status == "finished", job.error
    assert job.result.test_accuracy >= 0.85  # chance is 1/3
    assert job.history["loss"][-1] < job.history["loss"][0]
    assert job.result.evaluation.confusion_matrix().sum() == 150


@pytest.mark.slow
def test_events_arrive_in_order(shapes_job):
    job, _ = shapes_job
    events = job.events()
    epoch_ends = assert_in_order(events, epochs=8)
    started = events[0]
    assert started.device.startswith(("CPU", "GPU")) and started.params == job.model.count_params()
    assert started.train_samples + started.val_samples == 1500
    assert all(e.val_accuracy is not None and e.images_per_sec > 0 for e in epoch_ends)
    assert epoch_ends[-1].eta == 0.0
    assert job.poll(len(events) - 1) == [events[-1]]
    assert job.poll(len(events)) == []


@pytest.mark.slow
def test_result_is_saved_with_metadata(shapes_job):
    job, store = shapes_job
    model_id = job.result.model_id
    [meta] = store.list("student-1")
    assert meta["id"] == model_id and meta["status"] == "finished"
    assert meta["name"] == "shapes test"
    assert meta["architecture"] == "mnist_cnn"
    assert meta["dataset"]["name"] == "shapes"
    assert meta["dataset"]["options"]["image_size"] == 24
    assert meta["class_names"] == ["circle", "square", "triangle"]
    assert meta["input_shape"] == [24, 24, 3]
    assert meta["history"]["val_loss"] == pytest.approx(job.history["val_loss"])
    assert meta["test_metrics"]["accuracy"] == pytest.approx(job.result.test_accuracy)
    assert store.list("somebody-else") == []
    loaded = store.load(model_id, "student-1")
    # The saved model is the bare classifier: no scaling or augmentation layers inside.
    assert [layer.name for layer in loaded.model.layers][-1] == "predictions"
    x = job.dataset.x_test[:16]
    np.testing.assert_allclose(
        loaded.model.predict(x / 255.0, verbose=0),
        job.model.predict(x / 255.0, verbose=0),
        atol=1e-5,
    )


# ---- stop, queue, failures ----------------------------------------------------------------


def long_job(store=None, **kwargs):
    # 4,000 batches of 1 image per epoch: a stop always lands mid-epoch.
    return TrainingJob(
        tiny_dataset(n=4000), tiny_config(batch_size=1, epochs=3, **kwargs), store=store
    )


def test_stop_mid_epoch_keeps_and_saves_the_model(tmp_path):
    store = ModelStore(tmp_path)
    job = long_job(store=store).start()
    first = wait_for(job, BatchEnd)
    assert first is not None
    job.stop()
    assert job.status in ("stopping", "stopped")
    assert job.wait(120)
    assert job.status == "stopped"
    events = job.events()
    epoch_ends = assert_in_order(events)
    assert isinstance(events[-1], Stopped)
    assert len(epoch_ends) == 1  # the partial first epoch, then nothing more
    last_batch = [e for e in events if isinstance(e, BatchEnd)][-1]
    assert last_batch.batch < last_batch.steps
    assert job.result.status == "stopped" and job.result.epochs_run == 1
    assert store.info(job.result.model_id)["status"] == "stopped"
    assert job.model is not None


def test_concurrent_limit_queues_the_second_job(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "1")
    first = long_job().start()
    second = TrainingJob(tiny_dataset(), tiny_config()).start()
    third = TrainingJob(tiny_dataset(), tiny_config()).start()
    assert second.status == "queued" and second.queue_position == 1
    assert third.queue_position == 2
    assert second.events() == []
    third.stop()  # leaves the queue at once
    assert third.status == "stopped" and isinstance(third.events()[-1], Stopped)
    assert second.queue_position == 1
    first.stop()
    assert first.wait(120) and second.wait(120)
    assert second.status == "finished", second.error
    assert second.queue_position == 0
    assert training.SCHEDULER.counts() == (0, 0)


def test_two_jobs_run_side_by_side_when_allowed(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "2")
    a = long_job().start()
    b = TrainingJob(tiny_dataset(), tiny_config()).start()
    assert b.status in ("running", "finished")
    assert b.wait(120) and b.status == "finished", b.error
    a.stop()
    assert a.wait(120)


class ExplodingLayer(keras.layers.Layer):
    def call(self, x, training=None):
        if training:
            raise RuntimeError("boom inside fit")
        return x


def exploding_model():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            ExplodingLayer(),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )


def wrong_outputs_model():
    return keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(5, "softmax")]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"config": tiny_config(architecture="no_such_net")}, "Unknown architecture"),
        ({"model": wrong_outputs_model()}, "5 outputs"),
        ({"model": exploding_model()}, "boom inside fit"),
        (
            {"config": tiny_config(architecture=[{"type": "conv2d", "kernel": 15}])},
            "smaller than",
        ),
    ],
)
def test_failing_job_reports_failed(kwargs, message):
    job = TrainingJob(tiny_dataset(), **{"config": tiny_config(), **kwargs}).start()
    assert job.wait(120)
    assert job.status == "failed"
    events = job.events()
    assert isinstance(events[-1], Failed) and message in events[-1].message
    assert message in job.error
    assert job.result is None
    assert training.SCHEDULER.counts() == (0, 0)


def test_registry_finds_jobs_by_id_and_owner():
    job = TrainingJob(tiny_dataset(), tiny_config(), owner="me").start()
    assert training.get_job(job.id) is job
    assert job in training.jobs("me") and job not in training.jobs("you")
    assert training.get_job("job-unknown") is None
    job.wait(120)
    with pytest.raises(InputError):
        job.start()


def test_binary_dataset_trains_a_sigmoid_model():
    job = TrainingJob(tiny_dataset(classes=2), tiny_config(epochs=8)).start()
    assert job.wait(120) and job.status == "finished", job.error
    assert job.model.outputs[0].shape[-1] == 1
    assert job.result.evaluation.probabilities.shape[1] == 2
    assert job.result.test_accuracy >= 0.9


def test_explicit_validation_set_is_used():
    ds = tiny_dataset(n=32)
    ds.x_val, ds.y_val = ds.x_test[:6], ds.y_test[:6]
    job = TrainingJob(ds, tiny_config(validation_split=0.3)).start()
    job.wait(120)
    started = job.events()[0]
    assert (started.train_samples, started.val_samples) == (32, 6)


def test_no_validation_split():
    job = TrainingJob(tiny_dataset(n=32), tiny_config(validation_split=0)).start()
    job.wait(120)
    assert job.events()[0].val_samples == 0
    assert job.latest(EpochEnd).val_loss is None


def test_early_stopping_restores_and_ends_as_finished():
    ds = tiny_dataset(n=96, classes=3)
    # Random labels: nothing to learn, so the validation loss stops improving at once.
    ds.y_train = np.random.default_rng(0).permutation(ds.y_train)
    job = TrainingJob(ds, tiny_config(epochs=30, early_stopping=1)).start()
    assert job.wait(120)
    assert job.status == "finished"
    assert len(job.history["loss"]) < 30


def test_seed_makes_the_initial_model_repeatable():
    cfg = TrainingConfig(architecture="mnist_cnn", seed=7)
    a = training.build_model(cfg, (28, 28, 1), 10)
    b = training.build_model(cfg, (28, 28, 1), 10)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_training_does_not_change_the_dataset():
    ds = tiny_dataset()
    before = ds.x_train.copy(), ds.y_train.copy()
    job = TrainingJob(ds, tiny_config(augmentation=Augmentation(flip="horizontal"))).start()
    job.wait(120)
    np.testing.assert_array_equal(ds.x_train, before[0])
    np.testing.assert_array_equal(ds.y_train, before[1])


# ---- configuration and helpers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": "adagrad"}, "Optimizer"),
        ({"learning_rate": 0}, "Learning rate"),
        ({"batch_size": 0}, "Batch size"),
        ({"epochs": 0}, "Epochs"),
        ({"validation_split": 0.9}, "Validation split"),
        ({"dropout": 1.0}, "Dropout"),
        ({"early_stopping": -1}, "patience"),
        ({"schedule": "step"}, "Schedule"),
        ({"augmentation": Augmentation(flip="diagonal")}, "Flip"),
        ({"augmentation": Augmentation(rotation=0.7)}, "rotation"),
    ],
)
def test_bad_config_raises_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        TrainingJob(tiny_dataset(), TrainingConfig(**kwargs))


@pytest.mark.parametrize(
    ("name", "cls", "momentum"),
    [("adam", keras.optimizers.Adam, None), ("sgd", keras.optimizers.SGD, 0.9)],
)
def test_make_optimizer(name, cls, momentum):
    opt = training.make_optimizer(name, 0.01)
    assert isinstance(opt, cls)
    if momentum is not None:
        assert opt.momentum == pytest.approx(momentum)


@pytest.mark.parametrize(
    "augmentation",
    [
        Augmentation(),
        Augmentation(flip="horizontal"),
        Augmentation(rotation=0.1, shift=0.1, zoom=0.1, contrast=0.3),
    ],
)
def test_augmentation_preview_keeps_shape_and_input(augmentation):
    images = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    before = images.copy()
    out = augmentation.apply(images, seed=1)
    assert out.shape == images.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(images, before)
    assert augmentation.active == (not np.array_equal(out, images))


def test_horizontal_flip_mirrors_some_images():
    images = np.zeros((8, 4, 4, 1), np.uint8)
    images[:, :, 0] = 255  # bright left column
    out = Augmentation(flip="horizontal").apply(images, seed=0)
    flipped = out[:, :, -1, 0].min(axis=1) == 255
    assert flipped.any() and not flipped.all()


def test_wrapper_scales_inside_and_saved_model_stays_bare():
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()])
    wrapper = training.training_wrapper(model, (4, 4, 1), Augmentation(), seed=0)
    x = np.full((1, 4, 4, 1), 255, np.uint8)
    np.testing.assert_allclose(np.asarray(wrapper(x)), 1.0)
    assert len(model.layers) == 1


def test_device_is_described_in_words():
    device = training.detect_device()
    assert device.startswith("GPU (") or device == f"CPU ({training.cpu_cores()} cores)"


@pytest.mark.parametrize(("env", "expected"), [("3", 3), ("0", 1), ("many", None)])
def test_max_concurrent_jobs_from_environment(monkeypatch, env, expected):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", env)
    default = 2 if training.has_gpu() else 1
    assert training.max_concurrent_jobs() == (expected or default)


@pytest.mark.parametrize("name", ["shapes", "digits", "faces", "mnist", "cifar10", "my_zip"])
def test_recommended_configs_are_valid(name):
    config = training.recommended_config(name)
    config.validate()
    assert config.architecture in ("mnist_cnn", "fashion_cnn", "cifar10_cnn")


def test_mixed_precision_trains_in_float16_and_saves_float32(tmp_path):
    store = ModelStore(tmp_path)
    job = TrainingJob(tiny_dataset(), tiny_config(mixed_precision=True), store=store).start()
    assert job.wait(120) and job.status == "finished", job.error
    assert job.events()[0].mixed_precision is True
    assert all(layer.dtype_policy.name == "float32" for layer in job.model.layers)
    loaded = store.load(job.result.model_id)
    assert all(layer.dtype_policy.name == "float32" for layer in loaded.model.layers)
    assert keras.config.dtype_policy().name == "float32"  # this thread untouched


def test_batch_200_is_offered_and_cifar10s_augmented_run_uses_it():
    # The CIFAR-10 course's augmented run trains in batches of 200.
    assert 200 in training.BATCH_SIZES
    config = training.recommended_config("cifar10")
    assert config.batch_size == 200 and config.augmentation.flip == "horizontal"
    from cnnviz import presets

    assert presets.from_params({"batch": "200"})[0] == {"batch": 200}


def test_the_test_set_can_be_the_validation_data():
    # The courses' fit(..., validation_data=test): every training image trains and the
    # validation curves are the test set's.
    from cnnviz.training.data import fit_split

    ds = tiny_dataset(n=32)
    x_tr, _, x_va, y_va = fit_split(ds, 0.3, seed=0, validate_on_test=True)
    assert len(x_tr) == 32 and np.array_equal(x_va, ds.x_test)
    np.testing.assert_array_equal(y_va, ds.y_test)
    config = tiny_config(validation_split=0.3, validate_on_test=True)
    assert "validated on test" in config.summary()
    assert training.TrainingConfig.from_dict(config.to_dict()).validate_on_test is True
    job = TrainingJob(ds, config).start()
    assert job.wait(120) and job.status == "finished", job.error
    started = job.events()[0]
    assert (started.train_samples, started.val_samples) == (32, len(ds.x_test))
    last = job.latest(EpochEnd)
    assert last.val_loss == pytest.approx(job.result.test_loss, rel=1e-4, abs=1e-5)
