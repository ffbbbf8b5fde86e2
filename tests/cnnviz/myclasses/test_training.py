"""Training on the tiny base: cached features per image, the head, the model, the exports."""

import io

import numpy as np
import pytest

from cnnviz import myclasses
from cnnviz.errors import InputError
from cnnviz.myclasses import features
from tests.cnnviz.myclasses.conftest import picture, png, two_classes


def test_one_class_or_an_empty_class_cannot_train(project):
    with pytest.raises(InputError, match="at least two classes"):
        myclasses.train(project)
    a = project.add_class("a")
    project.add_images(a, [("1.png", png(20))])
    with pytest.raises(InputError, match="at least two classes"):
        myclasses.train(project)
    project.add_class("b")
    with pytest.raises(InputError, match="“b” has no images"):
        myclasses.train(project)


def test_training_learns_the_classes_and_the_model_comes_back_after_a_restart(project):
    _dark, bright = two_classes(project, n=8)
    result = myclasses.train(project, epochs=60)
    assert result.class_names == ["dark", "bright"]
    assert result.extracted == 16 and result.held_out == 2 and result.images == 14
    assert result.train_accuracy == 1.0 and result.held_out_accuracy == 1.0
    assert not myclasses.is_stale(project)

    again = myclasses.Project(project.workspace, base=project.base)
    model = myclasses.load_model(again)
    probs = model.predict_proba(np.stack([picture(40, 99), picture(210, 99)]))
    assert probs.shape == (2, 2) and probs[0].argmax() == 0 and probs[1].argmax() == 1
    again.rename_class(bright, "light")
    assert myclasses.load_model(again).class_names == ["dark", "light"]


def test_retraining_after_adding_images_extracts_only_the_new_ones(project, monkeypatch):
    dark, _ = two_classes(project, n=4)
    assert myclasses.train(project, epochs=2).extracted == 8
    project.add_images(dark, [(f"n{i}.png", png(45, 50 + i)) for i in range(3)])
    assert myclasses.is_stale(project)
    sent = []
    real = features.transfer.extract_features

    def counting(model, images, **kwargs):
        sent.append(len(images))
        return real(model, images, **kwargs)

    monkeypatch.setattr(features.transfer, "extract_features", counting)
    result = myclasses.train(project, epochs=2)
    assert result.extracted == 3 and sum(sent) == 3
    project.remove_images(dark, project.image_ids(dark)[:2])
    assert myclasses.train(project, epochs=2).extracted == 0
    with np.load(project.folder / features.FILE) as data:
        assert len(data["ids"]) == 9  # removed images' rows dropped


def test_a_deleted_class_leaves_no_model_to_load(project):
    dark, _ = two_classes(project, n=3)
    myclasses.train(project, epochs=1)
    project.delete_class(dark)
    assert myclasses.load_model(project) is None


def test_keras_export_loads_back_with_the_same_predictions(project, tmp_path):
    import keras

    two_classes(project, n=4)
    myclasses.train(project, epochs=20)
    model = myclasses.load_model(project)
    path = tmp_path / "m.keras"
    path.write_bytes(myclasses.keras_bytes(model))
    loaded = keras.models.load_model(path, safe_mode=True)
    x = model.preprocess([picture(40, 5), picture(210, 5)])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.model.predict(x, verbose=0))


def test_tflite_export_gives_the_same_top1_on_the_classes_images(project):
    two_classes(project, n=4)
    myclasses.train(project, epochs=20)
    model = myclasses.load_model(project)
    data = myclasses.tflite_bytes(model)
    check = myclasses.check_tflite(project, model, data)
    assert check.compared == 8 and check.ok and check.max_difference < 1e-4


def test_the_dataset_zip_round_trips_into_another_project(project, tiny_base):
    from cnnviz import workspaces

    two_classes(project, n=3)
    data = myclasses.dataset_zip_bytes(project)
    other = myclasses.Project(workspaces.Workspace(workspaces.new_key()), base=tiny_base)
    result = myclasses.add_zip(other, io.BytesIO(data))
    assert result.added == 6
    assert {c.name: c.count for c in other.classes()} == {"dark": 3, "bright": 3}


@pytest.mark.parametrize(
    "images, epochs",
    [(1, 30), (12, 30), (600, 30), (700, 28), (1700, 12), (2000, 10), (10_000, 5)],
)
def test_a_large_project_trains_fewer_epochs_of_many_steps(images, epochs):
    from cnnviz.myclasses import training

    assert training.head_epochs(images) == epochs


def test_the_trained_classes_go_to_the_store_once_and_load_back_for_the_other_pages(
    project,
):
    from cnnviz.store import ModelStore

    store = ModelStore()
    with pytest.raises(InputError, match="Train your classes first"):
        myclasses.save_to_store(project, None, store)
    two_classes(project, n=5)
    myclasses.train(project, epochs=20)
    model = myclasses.load_model(project)
    assert myclasses.stored_model_id(project, store) is None
    model_id = myclasses.save_to_store(project, model, store)
    assert myclasses.save_to_store(project, model, store) == model_id  # once per training
    assert [m["id"] for m in store.list(project.workspace.key)] == [model_id]
    meta = store.info(model_id, project.workspace.key)
    assert meta["name"] == "My classes: dark, bright"
    assert meta["class_names"] == ["dark", "bright"]
    assert "training" not in meta  # the Train page offers no "continue" it cannot do
    assert store.list("someone else") == []  # the workspace's own

    stored = store.load(model_id, project.workspace.key)
    x = [picture(40, 7), picture(210, 7)]
    np.testing.assert_allclose(stored.predict_proba(x), model.predict_proba(x), atol=1e-5)
    assert stored.last_conv_layer == model.last_conv_layer

    # A new training is a new model; a deleted one is no longer "there".
    myclasses.train(project, epochs=1)
    assert myclasses.stored_model_id(project, store) is None
    store.delete(model_id, project.workspace.key)
    myclasses.train(project, epochs=1)
    assert myclasses.stored_model_id(project, store) is None
