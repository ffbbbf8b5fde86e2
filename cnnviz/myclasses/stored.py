"""The trained classes as one of the workspace's models, for the pages that look inside.

Grad-CAM, Activations, Filter visualization and Draw & attack pick from the workspace's
model store (:class:`cnnviz.store.ModelStore`). :func:`save_to_store` puts the current
training there once (base and head, with its class names and preprocessing), and
:func:`stored_model_id` says whether it is there still, so the page offers it only once per
training.
"""

from __future__ import annotations

import json

from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.myclasses.training import trained_record

STORED_FILE = "stored.json"


def store_name(class_names: list[str], limit: int = 60) -> str:
    """The name the model gets in the store: "My classes: cat, dog, mug" (shortened)."""
    name = "My classes: " + ", ".join(class_names)
    return name if len(name) <= limit else name[: limit - 1].rstrip(", ") + "…"


def _store(project, store):
    if store is not None:
        return store
    if project.store is not None:
        return project.store
    from cnnviz.store import ModelStore

    return ModelStore()


def stored_model_id(project, store=None) -> str | None:
    """The store's id of the current training's model, or None (never saved, or deleted).

    Args:
        project: the :class:`~cnnviz.myclasses.Project`.
        store: the :class:`~cnnviz.store.ModelStore` (default: the project's, else the
            server's).
    """
    store = _store(project, store)
    record = trained_record(project)
    try:
        kept = json.loads((project.model_dir / STORED_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if record is None or kept.get("trained_at") != record.get("trained_at"):
        return None
    try:
        store.info(str(kept["model_id"]), project.workspace.key)
    except (InputError, KeyError):
        return None
    return str(kept["model_id"])


def save_to_store(project, model: ImageModel, store=None) -> str:
    """Save the current training's model in the workspace's store (once per training).

    Args:
        project: the :class:`~cnnviz.myclasses.Project`.
        model: its trained model (:func:`~cnnviz.myclasses.load_model`).
        store: the :class:`~cnnviz.store.ModelStore` (default: the project's, else the
            server's). The project's client address counts for a new workspace's first save.

    Returns:
        The model's id in the store (the one saved before when it is there still).

    Raises:
        InputError: nothing trained, or the workspace's quota or the disk is full.
    """
    store = _store(project, store)
    record = trained_record(project)
    if record is None:
        raise InputError("Train your classes first: there is no model to save yet.")
    kept = stored_model_id(project, store)
    if kept is not None:
        return kept
    result = record.get("result", {})
    accuracy = result.get("held_out_accuracy")
    metadata = {
        "name": store_name(list(model.class_names)),
        "owner": project.workspace.key,
        "class_names": [str(c) for c in model.class_names],
        "preprocessing": model.preprocessing.to_dict(),
        "architecture": f"{project.base} + a head (My classes)",
        # No "dataset" or "training": the Train page cannot continue it (the images live
        # in the project, and retraining is the My classes page's own Train button).
        "page": "my_classes",
        "params": int(model.model.count_params()),
        # Held-out images the head never saw: what the page reports as its accuracy.
        "test_metrics": {"accuracy": float(accuracy)} if accuracy is not None else {},
    }
    model_id = store.save(model.model, metadata, project.address)
    kept = {"model_id": model_id, "trained_at": record.get("trained_at")}
    project.write_file(project.model_dir / STORED_FILE, json.dumps(kept).encode("utf-8"))
    return model_id
