"""What the core tests share: tiny datasets and models built in code, and job helpers.

Helpers are plain functions (``from tests.cnnviz.conftest import tiny_dataset``) so a test
can call them with its own sizes; ``no_leftover_jobs`` is a fixture (use it with
``pytestmark = pytest.mark.usefixtures("no_leftover_jobs")``). Keras and training are
imported inside the helpers, so tests that need neither do not load TensorFlow.
"""

import time

import numpy as np


def tiny_dataset(n=64, size=8, channels=1, classes=2, seed=0, name="tiny", n_test=None):
    """Class k = images of brightness ~ k: learnable by anything.

    Returns:
        A ``datasets.Dataset`` with ``n`` training and ``n_test`` (default max(8, n // 4))
        test images, (size, size, channels) uint8.
    """
    from cnnviz import datasets

    rng = np.random.default_rng(seed)

    def make(count):
        y = np.arange(count) % classes
        base = (y * (200 // max(1, classes - 1)) + 20).astype(np.float32)
        x = base[:, None, None, None] + rng.normal(0, 10, (count, size, size, channels))
        return np.clip(x, 0, 255).astype(np.uint8), y.astype(np.int64)

    x_train, y_train = make(n)
    x_test, y_test = make(max(8, n // 4) if n_test is None else n_test)
    return datasets.Dataset(
        name, x_train, y_train, x_test, y_test, [f"c{i}" for i in range(classes)]
    )


def tiny_config(**kwargs):
    """One epoch of a two-layer network (conv, flatten), batches of 8: seconds to train."""
    from cnnviz import training

    spec = [{"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"}]
    defaults = {"architecture": spec, "epochs": 1, "batch_size": 8, "learning_rate": 0.01}
    return training.TrainingConfig(**{**defaults, **kwargs})


def tiny_classifier(channels=3, classes=3, size=12):
    """An uncompiled conv net (N, size, size, channels) → (N, classes) softmax, seeded."""
    import keras

    keras.utils.set_random_seed(1)
    inputs = keras.Input((size, size, channels))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv2")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)


def tiny_dense(size=8, channels=1, classes=2):
    """The smallest classifier: Flatten then one softmax Dense layer."""
    import keras

    inputs = keras.Input((size, size, channels))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x))


def wait_for(job, kind, timeout=120):
    """The job's first event of type ``kind`` (None if the job ended without one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if job.latest(kind) is not None or job.done:
            return job.latest(kind)
        time.sleep(0.02)
    raise AssertionError(f"no {kind.__name__} event within {timeout} s")


def run_job(dataset, config, timeout=240, **kwargs):
    """Start a ``TrainingJob``, wait for it, and check it finished; returns the job."""
    from cnnviz import training

    job = training.TrainingJob(dataset, config, **kwargs).start()
    assert job.wait(timeout), f"job {job.id} did not end within {timeout} s"
    assert job.status == "finished", job.error
    return job
