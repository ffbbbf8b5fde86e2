"""Tiny stored models for the inspection pages' tests (Activations, Filter visualization,
Grad-CAM) and their browser test."""

from __future__ import annotations

import keras
import numpy as np

from cnnviz import datasets
from cnnviz.store import ModelStore

OWNER = "test-session-owner"
SHAPES_OPTIONS = {"image_size": 32, "n_train": 60, "n_test": 24, "seed": 3}


def tiny_cnn(input_shape=(32, 32, 3), classes: int = 6, *, dense_only: bool = False):
    """A small untrained classifier ending in softmax (conv layers unless ``dense_only``)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=input_shape)
    x = inputs
    if not dense_only:
        x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(x)
        x = keras.layers.MaxPooling2D(name="pool1")(x)
        x = keras.layers.Conv2D(12, 3, padding="same", activation="relu", name="conv2")(x)
        x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    else:
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(16, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="tiny")


def shapes_dataset(**options) -> datasets.Dataset:
    return datasets.load("shapes", **{**SHAPES_OPTIONS, **options})


def save_tiny_model(
    owner: str = OWNER,
    *,
    name: str = "tiny cnn",
    dense_only: bool = False,
    shared: bool = False,
    train_epochs: int = 0,
    root=None,
    with_dataset: bool = True,
) -> str:
    """Build (and optionally train a little on shapes) a tiny model; save it; return its id."""
    ds = shapes_dataset()
    model = tiny_cnn(ds.input_shape, ds.num_classes, dense_only=dense_only)
    if train_epochs:
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
        x = ds.x_train.astype(np.float32) / 255.0
        model.fit(x, ds.y_train, epochs=train_epochs, batch_size=16, verbose=0)
    meta = {
        "name": name,
        "owner": owner,
        "shared": shared,
        "class_names": list(ds.class_names),
        "dataset": {"name": "shapes", "options": dict(ds.options)} if with_dataset else None,
        "test_metrics": {"accuracy": 0.5},
    }
    return ModelStore(root).save(model, meta)
