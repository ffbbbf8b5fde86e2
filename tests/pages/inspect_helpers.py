"""Tiny stored models for the inspection pages' tests (Activations, Filter visualization,
Grad-CAM) and their browser test, plus the AppTest helpers those pages' tests share."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import pytest

from cnnviz import datasets
from cnnviz.store import ModelStore
from tests.pages.conftest import app_test

OWNER = "test-session-owner"
SHAPES_OPTIONS = {"image_size": 32, "n_train": 60, "n_test": 24, "seed": 3}


def tiny_cnn(
    input_shape=(32, 32, 3),
    classes: int = 6,
    *,
    filters: Sequence[int] = (8, 12),
    dense_only: bool = False,
):
    """A small classifier ending in softmax: ``conv1, pool1, conv2, ...`` then global pooling
    (or, with ``dense_only``, Flatten and Dense layers only)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=input_shape)
    x = inputs
    if dense_only:
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(16, activation="relu", name="hidden")(x)
    else:
        for i, width in enumerate(filters, start=1):
            if i > 1:
                x = keras.layers.MaxPooling2D(name=f"pool{i - 1}")(x)
            x = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="tiny")


def shapes_dataset(**options) -> datasets.Dataset:
    return datasets.load("shapes", **{**SHAPES_OPTIONS, **options})


def save_tiny_model(
    owner: str = OWNER,
    *,
    name: str = "tiny cnn",
    filters: Sequence[int] = (8, 12),
    dense_only: bool = False,
    shared: bool = False,
    train_epochs: int = 0,
    n_train: int = 60,
    with_dataset: bool = True,
    root=None,
) -> str:
    """Build (and optionally train on shapes) a tiny model, save it in the store, return its id.

    The metadata names the ``shapes`` options, so pages can rebuild its test set offline.
    """
    ds = shapes_dataset(n_train=n_train)
    model = tiny_cnn(ds.input_shape, ds.num_classes, filters=filters, dense_only=dense_only)
    accuracy = None
    if train_epochs:
        model.compile(
            optimizer=keras.optimizers.Adam(3e-3),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        model.fit(ds.x_train / np.float32(255), ds.y_train, epochs=train_epochs, verbose=0)
        accuracy = float(model.evaluate(ds.x_test / np.float32(255), ds.y_test, verbose=0)[1])
    meta = {
        "name": name,
        "owner": owner,
        "shared": shared,
        "class_names": list(ds.class_names),
        "dataset": {"name": "shapes", "options": dict(ds.options)} if with_dataset else None,
        "test_metrics": {} if accuracy is None else {"accuracy": accuracy},
    }
    return ModelStore(root).save(model, meta)


@pytest.fixture
def stored_model() -> str:
    """A tiny untrained model saved in the store for ``OWNER``; its id."""
    return save_tiny_model()


def run_page(page: str, owner: str = OWNER):
    """Run a page script (e.g. ``"pages/gradcam.py"``) as session ``owner``; the AppTest."""
    at = app_test(page)
    at.session_state["cnnviz_session_id"] = owner
    return at.run()


def texts(elements) -> list[str]:
    """The values of AppTest elements (captions, infos, ...) as strings."""
    return [str(e.value) for e in elements]


def by_label(widgets, label: str):
    """The one widget among ``widgets`` with this label."""
    (widget,) = [w for w in widgets if w.label == label]
    return widget


def image_captions(at) -> list[str]:
    """Every caption of every ``st.image`` on the page, in order."""
    return [c for img in at.get("image") for c in img.captions]
