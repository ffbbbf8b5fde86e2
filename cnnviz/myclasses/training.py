"""Training the classes in seconds: the bundled base's cached features and a small head.

Feature extraction (:mod:`cnnviz.transfer`'s ``"features"`` mode): the frozen base sees each
image once (:mod:`cnnviz.myclasses.features` keeps what it saw), and only the head, one
hidden layer and the output, is trained (:func:`cnnviz.transfer.train_head`). When every
class has :data:`HOLD_OUT_FROM` images or more, 15 % of each is held out, as Teachable
Machine does, and the head's accuracy on them is reported. The trained head is kept in the
project (``model/head.npz`` and ``model/model.json``); :func:`load_model` puts it back on
the base.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz import datasets, transfer
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.myclasses.features import FeatureProgress, features_for
from cnnviz.myclasses.places import PLACES

HEAD_UNITS = 128
HEAD_DROPOUT = 0.2
EPOCHS = 30
#: Gradient steps the head takes at least: a large project gets fewer epochs (each one has
#: many steps), a small one ``EPOCHS``.
MIN_STEPS = 600
BATCH_SIZE = 32
LEARNING_RATE = 1e-3
HOLD_OUT = 0.15
HOLD_OUT_FROM = 5
MODEL_FILE = "model.json"
HEAD_FILE = "head.npz"


@dataclass(frozen=True)
class Trained:
    """What a training did.

    Attributes:
        class_names: the classes, in output order.
        images: images the head saw (training part) and held out.
        held_out: images held out (0 when a class had too few).
        held_out_accuracy: share of held-out images classified right, or None.
        train_accuracy: the same on the training part.
        extracted: images sent through the base now (the others' features were cached).
        seconds: the whole training, extraction included.
    """

    class_names: list[str]
    images: int
    held_out: int
    held_out_accuracy: float | None
    train_accuracy: float
    extracted: int
    seconds: float


def head_epochs(images: int, batch_size: int = BATCH_SIZE) -> int:
    """Epochs for ``images`` training images: ``EPOCHS``, fewer once that passes MIN_STEPS."""
    steps = max(1, -(-int(images) // int(batch_size)))
    return int(min(EPOCHS, max(5, -(-MIN_STEPS // steps))))


def transfer_config(project) -> transfer.TransferConfig:
    """The settings every training of ``project`` uses (feature extraction, a small head)."""
    return transfer.TransferConfig(
        base=project.base, mode="features", head_units=HEAD_UNITS, head_dropout=HEAD_DROPOUT
    )


def training_config(project):
    """What :func:`train` does, as a :class:`~cnnviz.training.TrainingConfig` (for the code).

    The head is trained on the features of 85 % of each class (all of them when a class has
    fewer than :data:`HOLD_OUT_FROM`), with Adam at ``LEARNING_RATE``, for ``EPOCHS``
    epochs (:func:`head_epochs`: fewer for a large project).
    """
    from cnnviz.training import TrainingConfig

    return TrainingConfig(
        transfer=transfer_config(project), epochs=EPOCHS, batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE, validation_split=0.0, optimizer="adam",
    )  # fmt: skip


def check_trainable(project) -> None:
    """``InputError`` unless there are two classes or more, each with an image."""
    classes = project.classes()
    if len(classes) < 2:
        raise InputError(
            "Training needs at least two classes: add a second one (for example “something "
            "else”), with a few images."
        )
    empty = [c.name for c in classes if c.count == 0]
    if empty:
        raise InputError(
            f"Class “{empty[0]}” has no images yet: add some (camera, files or a zip) or "
            "delete the class."
        )


def _accuracy(head, features: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return float("nan")
    out = np.asarray(head.predict(features, verbose=0, batch_size=256), np.float32)
    pred = (out[:, 0] > 0.5).astype(int) if out.shape[-1] == 1 else out.argmax(-1)
    return float(np.mean(pred == labels))


def train(
    project,
    *,
    epochs: int | None = None,
    seed: int = 0,
    progress: Callable[[FeatureProgress], None] | None = None,
    waiting: Callable[[int], None] | None = None,
) -> Trained:
    """Train a head on the project's images and keep it in the project.

    The training takes a place among the server's (:data:`cnnviz.myclasses.places.PLACES`)
    first: when classmates' trainings fill them, it waits its turn.

    Args:
        project: the :class:`~cnnviz.myclasses.Project`.
        epochs: passes of the head over the features (default :func:`head_epochs`).
        seed: the head's initial weights and the held-out split.
        progress: called while new images go through the base.
        waiting: called with the number of trainings ahead while this one waits for a place.

    Raises:
        InputError: fewer than two classes, an empty class, the quota is reached, or the
            project is already training (another tab).
    """
    check_trainable(project)
    with PLACES.hold(project.workspace.key, waiting):
        return _train(project, epochs=epochs, seed=seed, progress=progress)


def _train(project, *, epochs, seed, progress) -> Trained:
    import keras

    check_trainable(project)  # again: a class may have been emptied while this one waited
    started = time.perf_counter()
    classes = project.classes()
    config = transfer_config(project)
    keras.utils.set_random_seed(int(seed))
    model = transfer.build_model(config, len(classes), seed=int(seed))
    pre = transfer.transfer_preprocessing(config)
    items = project.labelled_images()
    feats, extracted = features_for(
        project, model, pre, [(image_id, path) for _, image_id, path in items], progress
    )
    labels = np.asarray([k for k, _, _ in items], np.int64)
    counts = np.bincount(labels, minlength=len(classes))
    if counts.min() >= HOLD_OUT_FROM:
        tr, te = datasets.stratified_split(labels, HOLD_OUT, int(seed))
    else:
        tr, te = np.arange(len(labels)), np.zeros(0, np.int64)
    steps = -(-len(tr) // BATCH_SIZE)
    head = transfer.train_head(
        model,
        feats[tr],
        labels[tr],
        epochs=int(epochs) if epochs is not None else head_epochs(len(tr)),
        batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE,
        steps_per_execution=min(steps, 64),
    )
    result = Trained(
        class_names=[c.name for c in classes],
        images=len(tr),
        held_out=len(te),
        held_out_accuracy=_accuracy(head, feats[te], labels[te]) if len(te) else None,
        train_accuracy=_accuracy(head, feats[tr], labels[tr]),
        extracted=int(extracted),
        seconds=round(time.perf_counter() - started, 2),
    )
    _save(project, model, config, classes, items, result)
    return result


def _head_weights(model) -> dict[str, np.ndarray]:
    out = {}
    for layer in model.layers:
        if transfer.is_head_layer(layer):
            for i, w in enumerate(layer.get_weights()):
                out[f"{layer.name}/{i}"] = np.asarray(w)
    return out


def _save(project, model, config, classes, items, result: Trained) -> None:
    buf = io.BytesIO()
    np.savez(buf, **_head_weights(model))
    record = {
        "config": config.to_dict(),
        "class_ids": [c.id for c in classes],
        "class_names": [c.name for c in classes],
        "image_ids": sorted(image_id for _, image_id, _ in items),
        "trained_at": time.time(),
        "result": {k: v for k, v in result.__dict__.items() if k != "class_names"},
    }
    project.write_file(project.model_dir / HEAD_FILE, buf.getvalue())
    project.write_file(project.model_dir / MODEL_FILE, json.dumps(record).encode("utf-8"))


def trained_record(project) -> dict | None:
    """What the last training kept (``model.json``), or None when there is none."""
    try:
        return json.loads((project.model_dir / MODEL_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def is_stale(project, record: dict | None = None) -> bool:
    """True when classes or images changed since the last training (or none was done)."""
    record = record if record is not None else trained_record(project)
    if record is None:
        return True
    classes = project.classes()
    if [c.id for c in classes] != record.get("class_ids"):
        return True
    ids = sorted(i for c in classes for i in project.image_ids(c.id))
    return ids != record.get("image_ids")


def load_model(project) -> ImageModel | None:
    """The trained model, base and head, as an :class:`~cnnviz.models.ImageModel`.

    Class names are today's names of the classes it was trained on (a renamed class keeps
    its place). None when nothing was trained, or its classes were deleted since.
    """
    from cnnviz.store.stored import last_spatial_layer

    record = trained_record(project)
    if record is None:
        return None
    names = {c.id: c.name for c in project.classes()}
    if any(i not in names for i in record["class_ids"]):
        return None
    config = transfer.TransferConfig.from_dict(record["config"])
    model = transfer.build_model(config, len(record["class_ids"]))
    try:
        with np.load(project.model_dir / HEAD_FILE, allow_pickle=False) as data:
            for layer in model.layers:
                if transfer.is_head_layer(layer) and layer.weights:
                    n = len(layer.weights)
                    layer.set_weights([data[f"{layer.name}/{i}"] for i in range(n)])
    except (OSError, ValueError, KeyError):
        return None  # damaged: train again
    return ImageModel(
        name="My classes",
        model=model,
        input_size=transfer.model_input_size(model),
        preprocessing=transfer.transfer_preprocessing(config),
        class_names=[names[i] for i in record["class_ids"]],
        last_conv_layer=last_spatial_layer(model),
        info={"trained_at": record.get("trained_at"), **record.get("result", {})},
    )
