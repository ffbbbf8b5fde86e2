"""What a training job feeds ``fit`` and what it stores with the model it saves."""

from __future__ import annotations

import numpy as np

from cnnviz.datasets import stratified_split
from cnnviz.errors import InputError
from cnnviz.models.preprocessing import unit
from cnnviz.training.events import EpochEnd


def fit_split(dataset, validation_split: float, seed: int, *, validate_on_test: bool = False):
    """Training and validation data for ``fit``: (x_train, y_train, x_val, y_val).

    The validation data is the dataset's own validation set, or a stratified split of the
    training set (None, None when ``validation_split`` is 0); with ``validate_on_test``,
    the test set, and every training image trains (the courses' ``validation_data=test``).

    Args:
        dataset: a ``cnnviz.datasets.Dataset`` (uint8 images (N, H, W, C), int labels).
        validation_split: fraction held out when the dataset has no validation set.
        seed: seed of the split.
        validate_on_test: validate on the test set instead (then ``validation_split`` and
            the dataset's own validation set are not used).

    Raises:
        InputError: images that are not uint8 (N, H, W, C), or fewer than two classes.
    """
    ds = dataset
    x_train = np.asarray(ds.x_train)
    y_train = np.asarray(ds.y_train).astype(np.int64)
    if x_train.ndim != 4 or x_train.dtype != np.uint8:
        raise InputError(
            f"Training images must be uint8 (N, H, W, C); got {x_train.dtype} {x_train.shape}."
        )
    if len(np.unique(y_train)) < 2:
        raise InputError("The training set needs images of at least two classes.")
    if validate_on_test:
        return x_train, y_train, np.asarray(ds.x_test), np.asarray(ds.y_test).astype(np.int64)
    if getattr(ds, "x_val", None) is not None and len(ds.x_val):
        return x_train, y_train, np.asarray(ds.x_val), np.asarray(ds.y_val).astype(np.int64)
    fraction = float(validation_split)
    if fraction <= 0:
        return x_train, y_train, None, None
    tr, va = stratified_split(y_train, fraction, seed=[int(seed), 2])
    return x_train[tr], y_train[tr], x_train[va], y_train[va]


def stored_metadata(job, outcome) -> dict:
    """The metadata a finished or stopped job saves with its model (see ``ModelStore``).

    The job's own (name, owner, dataset, classes, input shape, preprocessing, history,
    test metrics, settings, device...), then what its run kind adds
    (:meth:`~cnnviz.training.KindRun.metadata`, carried by the run's ``outcome``).

    Args:
        job: the server's :class:`~cnnviz.training.TrainingJob`.
        outcome: its :class:`~cnnviz.training.run.Outcome` (finished or stopped).
    """
    ds = job.dataset
    channels = int(ds.x_train.shape[-1])
    metadata = {
        "name": job.name,
        "owner": job.owner,
        "architecture": job.config.architecture,
        "dataset": {"name": ds.name, "options": dict(getattr(ds, "options", {}) or {})},
        "class_names": [str(c) for c in ds.class_names],
        "input_shape": [int(v) for v in outcome.input_shape],
        "preprocessing": outcome.preprocessing or unit(grayscale=channels == 1).to_dict(),
        "history": outcome.history,
        # Training images per second, epoch by epoch (the first includes tracing).
        "images_per_sec": [
            round(e.images_per_sec, 1) for e in job.events() if isinstance(e, EpochEnd)
        ],
        "test_metrics": outcome.evaluation.metrics(),
        "training": job.config.to_dict(),
        "device": outcome.device,
        "seconds": round(outcome.seconds, 2),
        "status": outcome.status,
        "params": int(outcome.params),
        "page": job.page,
    }
    if outcome.peak_rss_mb is not None:
        metadata["worker_peak_rss_mb"] = round(float(outcome.peak_rss_mb), 1)
    metadata.update(outcome.kind_metadata)
    return metadata
