import keras
import numpy as np
import pytest

from cnnviz import attribution, datasets
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig, TrainingJob
from cnnviz.training import snapshots as snap

EPOCHS = 3


class _Weights(keras.callbacks.Callback):
    """Keeps the classifier's weights before training and after each epoch."""

    def __init__(self, job):
        super().__init__()
        self.job = job
        self.weights = []

    def on_train_begin(self, logs=None):
        self.weights.append(self.job.model.get_weights())

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.job.model.get_weights())


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ds = datasets.load("shapes", n_train=300, n_test=60, image_size=24, seed=1)
    store = ModelStore(tmp_path_factory.mktemp("store"))
    cfg = TrainingConfig(architecture="mnist_cnn", epochs=EPOCHS, batch_size=32)
    job = TrainingJob(ds, cfg, store=store, owner="me")
    keep = _Weights(job)
    job._extra_callbacks.append(keep)
    job.start()
    assert job.wait(300)
    assert job.status == "finished", job.error
    return job, store, keep, ds


def test_a_snapshot_before_training_and_after_every_epoch(trained):
    job, store, _, ds = trained
    data = store.load_snapshots(job.result.model_id, "me")
    assert list(data["epochs"]) == list(range(EPOCHS + 1))
    e = EPOCHS + 1
    assert data["probe_images"].shape == (8, 24, 24, 3)
    assert data["kernels"].shape == (e, 3, 3, 3, 32)
    assert data["probabilities"].shape == (e, 8, ds.num_classes)
    assert data["cams"].shape[:2] == (e, 8) and data["cams"].dtype == np.uint8
    assert str(data["kernel_layer"]) == "conv1"
    # Kernels change while training; the last snapshot is the saved model's.
    assert not np.allclose(data["kernels"][0], data["kernels"][-1])
    saved = store.load(job.result.model_id, "me").model.get_layer("conv1").get_weights()[0]
    np.testing.assert_allclose(data["kernels"][-1], saved, atol=1e-2)
    np.testing.assert_array_equal(data["probe_images"], ds.x_test[snap.probe_indices(ds.y_test)])


def test_grad_cam_snapshots_equal_a_recomputation_on_the_epoch_weights(trained):
    job, store, keep, _ = trained
    data = store.load_snapshots(job.result.model_id, "me")
    model = keras.models.clone_model(job.model)
    x = data["probe_images"].astype(np.float32) / 255.0
    assert len(keep.weights) == EPOCHS + 1
    for epoch, weights in enumerate(keep.weights):
        model.set_weights(weights)
        maps = attribution.grad_cam(model, x, layer_name=str(data["cam_layer"]))
        expected = snap.cam_for_storage(maps)
        diff = np.abs(expected.astype(int) - data["cams"][epoch].astype(int))
        assert diff.max() <= 2, epoch
        probs = model.predict_on_batch(x)
        np.testing.assert_allclose(data["probabilities"][epoch], probs, atol=2e-3)


def test_snapshots_stay_within_budget(trained):
    job, store, _, _ = trained
    path = store.root / job.result.model_id / "snapshots.npz"
    per_epoch = path.stat().st_size / (EPOCHS + 1)
    assert per_epoch * 50 < 3 * 2**20  # 50 epochs stay under 3 MB


def test_budget_for_a_large_input_model():
    # 150x150 inputs: the maps are stored at 64 px, the kernels at most 64 filters.
    maps = np.random.default_rng(0).random((8, 150, 150))
    stored = snap.cam_for_storage(maps)
    assert stored.shape == (8, 64, 64)
    assert stored.nbytes * 50 < 2 * 2**20


def test_probe_set_takes_each_class_in_turn():
    labels = np.array([2, 2, 0, 1, 0, 1, 2, 0, 1, 1])
    idx = snap.probe_indices(labels, 5)
    assert list(labels[idx]) == [0, 1, 2, 0, 1]
    assert len(snap.probe_indices(labels[:3], 8)) == 3


def test_job_without_snapshots_and_dense_model(tmp_path):
    ds = datasets.load("shapes", n_train=120, n_test=24, image_size=24)
    store = ModelStore(tmp_path)
    job = TrainingJob(ds, TrainingConfig(epochs=1), store=store, snapshots=False).start()
    assert job.wait(120) and job.status == "finished"
    assert store.load_snapshots(job.result.model_id) is None
    job = TrainingJob(ds, TrainingConfig(architecture="mlp", epochs=1), store=store).start()
    assert job.wait(120) and job.status == "finished", job.error
    data = store.load_snapshots(job.result.model_id)
    assert "kernels" not in data and "cams" not in data
    assert data["probabilities"].shape == (2, 8, ds.num_classes)
