import io
import json
import threading
import zipfile

import keras
import numpy as np
import pytest

from cnnviz import store as store_module
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import Preprocessing, tf_mode, unit
from cnnviz.store import ModelStore, StoredModel, last_spatial_layer
from cnnviz.store import cache as store_cache
from tests.cnnviz.conftest import tiny_classifier as tiny_model

ALICE, BOB = "alice-session", "bob-session"


def meta(owner=ALICE, **extra):
    return {
        "name": "tiny",
        "owner": owner,
        "architecture": "custom",
        "dataset": {"name": "shapes", "options": {"image_size": 12}},
        "class_names": ["circle", "square", "triangle"],
        "input_shape": [12, 12, 3],
        "preprocessing": unit().to_dict(),
        "history": {"loss": [1.0, 0.5], "accuracy": [0.4, 0.8]},
        "test_metrics": {"loss": 0.5, "accuracy": 0.8},
        **extra,
    }


@pytest.fixture
def store(tmp_path):
    return ModelStore(tmp_path / "models")


def keras_bytes(model, tmp_path, name="m.keras"):
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def test_default_root_is_under_app_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_HOME", str(tmp_path / "home"))
    assert ModelStore().root == tmp_path / "home" / "models"


def test_round_trip_model_and_metadata(store):
    model = tiny_model()
    model_id = store.save(model, meta(history={"loss": [1.0, float("nan")]}))
    loaded = store.load(model_id, ALICE)
    assert isinstance(loaded, StoredModel) and isinstance(loaded, ImageModel)
    assert loaded.id == model_id and loaded.owner == ALICE
    assert loaded.name == "tiny"
    assert loaded.class_names == ["circle", "square", "triangle"]
    assert loaded.input_size == (12, 12)
    assert loaded.preprocessing == unit()
    assert loaded.last_conv_layer == "conv2"
    assert loaded.outputs_logits is False
    info = loaded.info
    assert info["dataset"] == {"name": "shapes", "options": {"image_size": 12}}
    assert info["history"]["loss"] == [1.0, None]  # NaN stored as JSON null
    assert info["test_metrics"]["accuracy"] == 0.8
    assert info["shared"] is False and info["status"] == "finished"
    x = np.random.default_rng(0).integers(0, 256, (2, 12, 12, 3), dtype=np.uint8)
    np.testing.assert_allclose(
        loaded.predict_proba(x), np.asarray(model(x.astype(np.float32) / 255)), atol=1e-6
    )


def test_save_is_atomic_and_leaves_no_temporary_folders(store, monkeypatch):
    store.save(tiny_model(), meta())

    def broken_save(self, path, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError):
        store.save(tiny_model(), meta())
    names = [p.name for p in store.root.iterdir() if p.name != ".lock"]
    assert len(names) == 1 and not names[0].startswith(".")
    assert len(store.list(ALICE)) == 1


def test_list_is_newest_first_and_per_owner(store):
    a1 = store.save(tiny_model(), meta(name="first"))
    b1 = store.save(tiny_model(), meta(owner=BOB, name="bob's"))
    a2 = store.save(tiny_model(), meta(name="second"))
    assert [m["id"] for m in store.list(ALICE)] == [a2, a1]
    assert [m["id"] for m in store.list(BOB)] == [b1]
    assert {m["id"] for m in store.list()} == {a1, a2, b1}


@pytest.mark.parametrize(
    "action",
    [
        lambda s, i: s.load(i, BOB),
        lambda s, i: s.info(i, BOB),
        lambda s, i: s.model_bytes(i, BOB),
        lambda s, i: s.rename(i, "mine now", BOB),
        lambda s, i: s.delete(i, BOB),
        lambda s, i: s.set_shared(i, True, BOB),
    ],
)
def test_other_sessions_cannot_see_or_change_a_private_model(store, action):
    model_id = store.save(tiny_model(), meta())
    with pytest.raises(InputError, match="no model"):
        action(store, model_id)
    assert store.info(model_id, ALICE)["name"] == "tiny"  # unchanged, still there


def test_shared_model_is_visible_but_only_the_owner_may_change_it(store):
    model_id = store.save(tiny_model(), meta())
    store.set_shared(model_id, True, ALICE)
    assert [m["id"] for m in store.list(BOB)] == [model_id]
    assert store.load(model_id, BOB).class_names[0] == "circle"
    assert store.model_bytes(model_id, BOB)[:2] == b"PK"
    for action in (
        lambda: store.rename(model_id, "x", BOB),
        lambda: store.delete(model_id, BOB),
        lambda: store.set_shared(model_id, False, BOB),
    ):
        with pytest.raises(InputError, match="Only the workspace"):
            action()
    store.set_shared(model_id, False, ALICE)
    assert store.list(BOB) == []


def test_rename_and_delete_by_owner(store):
    model_id = store.save(tiny_model(), meta())
    store.load(model_id, ALICE)  # cached
    assert store.rename(model_id, "  my   shapes net ", ALICE)["name"] == "my shapes net"
    assert store.list(ALICE)[0]["name"] == "my shapes net"
    store.delete(model_id, ALICE)
    assert store.list(ALICE) == []
    with pytest.raises(InputError):
        store.load(model_id, ALICE)
    assert model_id not in {k[1] for k in store_cache._CACHE}


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_bad_names_are_refused(store, name):
    model_id = store.save(tiny_model(), meta())
    with pytest.raises(InputError):
        store.rename(model_id, name, ALICE)


@pytest.mark.parametrize("bad_id", ["../etc", "", "ABCDEF123456", "0" * 11, None])
def test_malformed_ids_are_refused(store, bad_id):
    with pytest.raises(InputError):
        store.load(bad_id, ALICE)


def test_load_is_cached_and_returns_the_same_keras_model(store):
    model_id = store.save(tiny_model(), meta())
    assert store.load(model_id, ALICE).model is store.load(model_id, ALICE).model


def test_concurrent_saves_get_distinct_ids(store):
    model = tiny_model()
    ids, errors = [], []

    def work(i):
        try:
            ids.append(store.save(model, meta(name=f"m{i}")))
        except Exception as exc:  # collected for the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(ids)) == 4
    assert {m["name"] for m in store.list(ALICE)} == {"m0", "m1", "m2", "m3"}


def test_model_bytes_is_the_keras_file(store, tmp_path):
    model_id = store.save(tiny_model(), meta())
    data = store.model_bytes(model_id, ALICE)
    assert zipfile.is_zipfile(io.BytesIO(data))
    assert "config.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()


# ---- uploads ---------------------------------------------------------------------------


def test_import_keras_infers_class_names_and_preprocessing(store, tmp_path):
    data = keras_bytes(tiny_model(channels=1, classes=4), tmp_path)
    model_id = store.import_keras(data, BOB, name="my upload")
    loaded = store.load(model_id, BOB)
    assert loaded.class_names == ["class_0", "class_1", "class_2", "class_3"]
    assert loaded.preprocessing == unit(grayscale=True)
    assert loaded.info["status"] == "uploaded" and loaded.info["input_shape"] == [12, 12, 1]
    assert store.list(ALICE) == []


def test_import_keras_with_chosen_names_and_preprocessing(store, tmp_path):
    path = tmp_path / "m.keras"
    tiny_model(classes=2).save(path)
    with open(path, "rb") as handle:
        model_id = store.import_keras(
            handle, ALICE, class_names=["cat", "dog"], preprocessing=tf_mode()
        )
    loaded = store.load(model_id, ALICE)
    assert loaded.class_names == ["cat", "dog"]
    assert loaded.preprocessing == tf_mode()
    meta_after = store.set_labels(model_id, ALICE, class_names=["kitty", "puppy"])
    assert meta_after["class_names"] == ["kitty", "puppy"]


def test_single_sigmoid_upload_has_two_classes(store, tmp_path):
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model_id = store.import_keras(keras_bytes(model, tmp_path), ALICE)
    loaded = store.load(model_id, ALICE)
    assert loaded.class_names == ["class_0", "class_1"]
    assert loaded.last_conv_layer is None
    assert loaded.predict_proba(np.zeros((1, 8, 8, 3), np.uint8)).shape == (1, 2)


def lambda_model():
    return keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Lambda(lambda x: x * 2.0),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )


def test_lambda_model_is_refused(store, tmp_path):
    data = keras_bytes(lambda_model(), tmp_path)
    with pytest.raises(InputError, match="Lambda"):
        store.import_keras(data, ALICE)
    assert store.list() == []
    assert [p for p in store.root.iterdir() if p.name.startswith(".tmp")] == []


def test_safe_mode_itself_refuses_lambda(tmp_path):
    # Even without the config pre-check, loading goes through safe_mode=True.
    path = tmp_path / "lam.keras"
    lambda_model().save(path)
    with pytest.raises(InputError, match="safely"):
        store_module.load_keras_file(path)


def rewrite_config(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "config.json":
                content = edit(content.decode()).encode()
            dst.writestr(item, content)
    return out.getvalue()


def _custom_dense(text: str) -> str:
    """Turn the Dense layer into a registered custom class this process does not know."""
    config = json.loads(text)
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dense":
            layer.update(module="mypackage.layers", class_name="FancyDense")
            layer["registered_name"] = "mypackage>FancyDense"
    return json.dumps(config)


def dense_only_model():
    return keras.Sequential([keras.Input((10,)), keras.layers.Dense(3, activation="softmax")])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: b"not a zip at all", "not a .keras file"),
        (lambda tmp: _zip({"hello.txt": b"hi"}), "config.json"),
        (lambda tmp: _zip({"config.json": b"{nope"}), "not valid JSON"),
        (
            lambda tmp: rewrite_config(
                keras_bytes(tiny_model(), tmp),
                lambda c: c.replace('"class_name": "Dense"', '"class_name": "NoSuchLayer"'),
            ),
            "custom",
        ),
        (
            lambda tmp: rewrite_config(keras_bytes(tiny_model(), tmp), _custom_dense),
            "custom",
        ),
        (lambda tmp: keras_bytes(dense_only_model(), tmp), "image"),
    ],
)
def test_bad_uploads_are_refused_with_clear_messages(store, tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        store.import_keras(make(tmp_path), ALICE)
    assert store.list() == []


def _zip(files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"class_names": ["a", "b"]}, "3 classes"),
        ({"class_names": ["a", "a", "b"]}, "different"),
        ({"preprocessing": unit(grayscale=True)}, "channel"),
    ],
)
def test_upload_labels_must_fit_the_model(store, tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message):
        store.import_keras(keras_bytes(tiny_model(), tmp_path), ALICE, **kwargs)


def test_upload_size_limit(store, monkeypatch):
    monkeypatch.setattr(store_module.uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(InputError, match="larger"):
        store.import_keras(io.BytesIO(b"x" * 100), ALICE)


def test_nested_models_report_their_inner_conv_layer():
    inner = tiny_model()
    outer = keras.Sequential([keras.Input((12, 12, 3)), inner])
    assert last_spatial_layer(outer) == "conv2"
    assert last_spatial_layer(dense_only_model()) is None


def test_metadata_file_is_plain_json(store):
    model_id = store.save(tiny_model(), meta(extra_array=np.arange(3)))
    data = json.loads((store.root / model_id / "meta.json").read_text())
    assert data["extra_array"] == [0, 1, 2]
    assert Preprocessing.from_dict(data["preprocessing"]) == unit()


def test_listing_and_usage_follow_every_change_on_disk(tmp_path):
    # Metadata and sizes are cached by file identity: a rename, a later snapshots file and
    # a deletion must all show at once.
    store = store_module.ModelStore(tmp_path / "models")
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])  # fmt: skip
    model_id = store.save(model, {"name": "first", "owner": "ws", "class_names": ["a", "b"]})
    assert [m["name"] for m in store.list("ws")] == ["first"]
    used = store.usage("ws")
    store.rename(model_id, "second", "ws")
    assert [m["name"] for m in store.list("ws")] == ["second"]
    listed = store.list("ws")[0]
    listed["name"] = "changed by a caller"  # callers get copies
    assert store.info(model_id, "ws")["name"] == "second"
    store.save_snapshots(model_id, {"x": np.zeros((64, 64), np.float32) + np.arange(64)})
    assert store.usage("ws") > used
    store.delete(model_id, owner="ws")
    assert store.list("ws") == [] and store.usage("ws") == 0
