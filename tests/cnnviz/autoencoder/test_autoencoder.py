import numpy as np
import pytest

from cnnviz import autoencoder, datasets
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.training import (
    BatchEnd,
    EpochEnd,
    Finished,
    JobStarted,
    Stopped,
    TrainingConfig,
    TrainingJob,
)
from tests.cnnviz.conftest import wait_for

pytestmark = pytest.mark.usefixtures("no_leftover_jobs")


@pytest.fixture(scope="module")
def digits():
    return datasets.load("digits")


def test_course_network_is_learnopencvs_37601_parameters_with_leaky_relu_and_linear_deconvs():
    model = autoencoder.build_model((28, 28, 1))
    assert model.count_params() == 37_601
    assert tuple(model.get_layer(autoencoder.BOTTLENECK).output.shape[1:]) == (7, 7, 32)
    assert tuple(model.outputs[0].shape[1:]) == (28, 28, 1)
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    assert kinds == [
        "Conv2D", "LeakyReLU", "MaxPooling2D",
        "Conv2D", "LeakyReLU", "MaxPooling2D",
        "Conv2D", "LeakyReLU",
        "Conv2DTranspose", "Conv2DTranspose", "Conv2D",
    ]  # fmt: skip
    leaky = [layer for layer in model.layers if type(layer).__name__ == "LeakyReLU"]
    assert [float(layer.negative_slope) for layer in leaky] == pytest.approx([0.1] * 3)
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert [layer.get_config()["activation"] for layer in convs] == ["linear"] * 3 + ["sigmoid"]
    deconvs = [layer for layer in model.layers if type(layer).__name__ == "Conv2DTranspose"]
    assert [layer.get_config()["activation"] for layer in deconvs] == ["linear", "linear"]
    # The extra Conv2D(32) works at 7 × 7, on the bottleneck.
    assert tuple(convs[2].output.shape[1:]) == (7, 7, 32)
    out = autoencoder.predict(model, np.random.default_rng(0).random((3, 28, 28, 1)))
    assert out.shape == (3, 28, 28, 1) and out.min() >= 0 and out.max() <= 1


def test_the_lighter_network_stays_as_an_alternative():
    model = autoencoder.build_model((28, 28, 1), network="light")
    assert model.count_params() == 28_353
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    assert kinds == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
        "Conv2DTranspose", "Conv2DTranspose", "Conv2D",
    ]  # fmt: skip
    assert tuple(model.get_layer(autoencoder.BOTTLENECK).output.shape[1:]) == (7, 7, 32)
    with pytest.raises(InputError, match="Network"):
        autoencoder.build_model((28, 28, 1), network="huge")


def test_recommended_config_is_the_courses_run():
    cfg = autoencoder.recommended_config("mnist")
    assert (cfg.epochs, cfg.batch_size, cfg.optimizer) == (25, 64, "adam")
    assert cfg.autoencoder.noise_level == 0.5
    assert cfg.autoencoder.loss == "binary_crossentropy"
    assert cfg.autoencoder.network == "course"
    assert cfg.autoencoder.validation == "test"  # the noisy test set, as the course
    assert cfg.validation_split == 0  # so every training image trains
    assert autoencoder.COURSE.params == 37_601
    assert (autoencoder.COURSE.loss, autoencoder.COURSE.val_loss) == (0.1196, 0.1171)


@pytest.mark.parametrize(
    ("shape", "filters", "neck"),
    [((32, 32, 3), 8, (8, 8, 8)), ((8, 8, 1), 4, (2, 2, 4))],
)
@pytest.mark.parametrize("network", ["course", "light"])
def test_other_sizes_pool_by_four(shape, filters, neck, network):
    model = autoencoder.build_model(shape, filters, network=network)
    assert tuple(model.get_layer(autoencoder.BOTTLENECK).output.shape[1:]) == neck
    assert tuple(model.outputs[0].shape[1:]) == shape


@pytest.mark.parametrize("shape", [(30, 30, 1), (28, 28, 2)])
def test_unusable_input_shapes_are_input_errors(shape):
    with pytest.raises(InputError):
        autoencoder.build_model(shape)


def test_noise_is_clipped_has_the_right_spread_and_leaves_the_input_alone():
    x = np.full((64, 28, 28, 1), 0.5, np.float32)
    before = x.copy()
    noisy = autoencoder.add_noise(x, 0.1, seed=3)
    np.testing.assert_array_equal(x, before)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    # Around 0.5 a std of 0.1 is almost never clipped: the spread is the level.
    assert np.std(noisy - x) == pytest.approx(0.1, rel=0.03)
    strong = autoencoder.add_noise(x, 0.5, seed=3)
    assert strong.min() == 0.0 and strong.max() == 1.0  # clipped at both ends
    # The unclipped noise is level × normal: where nothing was clipped, it matches.
    raw = x + 0.5 * np.random.default_rng(3).standard_normal(x.shape, dtype=np.float32)
    inside = (raw > 0) & (raw < 1)
    np.testing.assert_allclose(strong[inside], raw[inside], atol=1e-6)
    np.testing.assert_array_equal(autoencoder.add_noise(x, 0.5, seed=3), strong)
    assert not np.array_equal(autoencoder.add_noise(x, 0.5, seed=4), strong)


@pytest.mark.parametrize("level", [-0.1, 2.5, float("nan")])
def test_bad_noise_levels_are_input_errors(level):
    with pytest.raises(InputError):
        autoencoder.add_noise(np.zeros((1, 4, 4, 1)), level)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"noise_level": 3.0}, "Noise"),
        ({"loss": "hinge"}, "Loss"),
        ({"filters": 0}, "Filters"),
        ({"network": "huge"}, "Network"),
        ({"validation": "train"}, "Validation"),
    ],
)
def test_bad_settings_are_input_errors(changes, match):
    with pytest.raises(InputError, match=match):
        TrainingConfig(autoencoder=autoencoder.AutoencoderConfig(**changes)).validate()


def test_per_image_loss_matches_keras():
    import keras

    rng = np.random.default_rng(0)
    t, p = rng.random((4, 6, 6, 1)), rng.uniform(0.05, 0.95, (4, 6, 6, 1))
    bce = keras.losses.BinaryCrossentropy(reduction=None)(t.reshape(4, -1), p.reshape(4, -1))
    got = autoencoder.per_image_loss(t, p, "binary_crossentropy")
    np.testing.assert_allclose(got, np.asarray(bce), rtol=1e-4)
    np.testing.assert_allclose(
        autoencoder.per_image_loss(t, p, "mse"), ((t - p) ** 2).reshape(4, -1).mean(1)
    )


def test_reconstruction_loss_falls_on_digits_and_the_model_is_stored(tmp_path, digits):
    store = ModelStore(tmp_path)
    cfg = autoencoder.recommended_config("digits")
    cfg.epochs = 3
    job = TrainingJob(digits, cfg, store=store).start()
    assert job.wait(300)
    assert job.status == "finished", job.error
    losses = job.history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert job.history["val_loss"][-1] < job.history["val_loss"][0]
    # Validated on the (noisy) test set, as the course does; every training image trains.
    started = next(e for e in job.events() if isinstance(e, JobStarted))
    assert started.val_samples == len(digits.x_test)
    assert started.train_samples == len(digits.x_train)
    assert started.params == 37_601
    assert isinstance(job.events()[-1], Finished)
    assert "reconstruction error" in job.events()[-1].message
    assert all(np.isnan(e.accuracy) for e in job.events() if isinstance(e, EpochEnd))
    metrics = job.result.evaluation.metrics()
    # Truth: after 3 epochs the network already beats returning the noisy input.
    assert metrics["mse"] < metrics["mse_noisy_baseline"]
    assert 0 < metrics["mse_blur_baseline"] < metrics["mse_noisy_baseline"]
    assert "accuracy" not in metrics
    meta = store.info(job.result.model_id)
    assert autoencoder.is_autoencoder(meta)
    assert meta["autoencoder"]["bottleneck_shape"] == [7, 7, 32]
    assert TrainingConfig.from_dict(meta["training"]).autoencoder == cfg.autoencoder
    stored = store.load(job.result.model_id)
    batch = digits.x_test[:5]
    again = autoencoder.denoise(stored.model, batch, 0.5, seed=1)
    live = autoencoder.denoise(job.model, batch, 0.5, seed=1)
    np.testing.assert_allclose(again.reconstructed, live.reconstructed, atol=1e-5)
    neck = autoencoder.bottleneck(stored.model, again.noisy)
    assert neck.shape == (5, 7, 7, 32)


def test_stop_keeps_and_saves_the_autoencoder(tmp_path, digits):
    store = ModelStore(tmp_path)
    cfg = autoencoder.recommended_config("digits")
    cfg.epochs, cfg.batch_size = 50, 4
    job = TrainingJob(digits, cfg, store=store).start()
    assert wait_for(job, BatchEnd) is not None
    job.stop()
    assert job.wait(120)
    assert job.status == "stopped", job.error
    assert isinstance(job.events()[-1], Stopped)
    assert job.result.epochs_run < 50
    assert autoencoder.is_autoencoder(store.info(job.result.model_id))


def test_truth_on_an_untrained_network_is_honest():
    model = autoencoder.build_model((8, 8, 1), 4)
    images = (np.random.default_rng(0).random((4, 8, 8, 1)) * 255).astype(np.uint8)
    result = autoencoder.denoise(model, images, 0.5)
    assert result.clean.shape == result.noisy.shape == result.reconstructed.shape
    np.testing.assert_allclose(
        result.mse_noisy, ((result.noisy - result.clean) ** 2).reshape(4, -1).mean(1)
    )
    with pytest.raises(InputError, match="takes 8×8×1"):
        autoencoder.denoise(model, np.zeros((1, 28, 28, 1), np.uint8), 0.5)


def test_blur_baseline_removes_noise_from_a_flat_image_and_picks_a_kernel():
    clean = np.full((2, 28, 28, 1), 0.5, np.float32)
    noisy = autoencoder.add_noise(clean, 0.1, seed=0)
    err, size = autoencoder.blur_baseline(noisy, clean)
    raw = ((noisy - clean) ** 2).reshape(2, -1).mean(1)
    assert err.shape == (2,) and size in (3, 5, 7)
    assert np.all(err < raw / 4)  # a flat image: blurring is nearly perfect
    assert size == 7  # the widest blur wins on a flat image


def _meta(dataset="digits", images=1438, epochs=2, loss="binary_crossentropy"):
    return {
        "history": {
            "loss": [0.3] * (epochs - 1) + [0.2],
            "val_loss": [0.3] * (epochs - 1) + [0.19],
        },
        "training": {"batch_size": 64},
        "autoencoder": {"loss": loss, "noise_level": 0.5, "train_images": images},
        "dataset": {"name": dataset},
        "params": 37_601,
    }


def test_course_comparison_puts_the_printed_losses_beside_ours_and_says_why():
    c = autoencoder.compare_with_course(_meta())
    assert "loss 0.1196, validation loss 0.1171" in c.course.line()
    assert "loss 0.2000, validation loss 0.1900" in c.ours.line()
    assert "1,438 training images" in c.ours.line() and c.comparable
    assert "scikit-learn" in c.why and "60,000" in c.why and "2 epochs instead of 25" in c.why
    same = autoencoder.compare_with_course(_meta("mnist", 60_000, 25))
    assert "only by chance" in same.why
    mse = autoencoder.compare_with_course(_meta(loss="mse"))
    assert not mse.comparable and "cannot be compared" in mse.why
    assert autoencoder.compare_with_course({"history": {}}) is None
