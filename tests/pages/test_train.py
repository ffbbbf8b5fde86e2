import io
import json
import time
import zipfile

import keras
import pytest
from streamlit.testing.v1 import AppTest

from cnnviz import datasets, training
from cnnviz.store import ModelStore
from cnnviz.ui.common import startup
from tests.pages.conftest import app_test, run_until_done

pytestmark = pytest.mark.usefixtures("stop_jobs")


def tiny_settings(at, epochs=1):
    at.select_slider(key="train_opt_shapes_n").set_value(600)
    at.select_slider(key="train_opt_shapes_size").set_value(24)
    at.number_input(key="train_epochs").set_value(epochs)
    return at.run()


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_page_loads_with_defaults_ready_to_train():
    at = app_test("pages/train.py").run()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert at.selectbox(key="train_dataset").value == "shapes"
    assert at.selectbox(key="train_arch").value == "mnist_cnn"
    assert at.number_input(key="train_epochs").value == 10  # tuned default for shapes
    assert not at.button(key="train_start").disabled
    assert any("Summary:" in e.label for e in at.expander)
    assert any("4,800 training" in c.value for c in at.caption)
    assert not at.error


def test_dataset_change_applies_its_tuned_defaults():
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("digits").run()
    assert not at.exception
    assert at.number_input(key="train_epochs").value == 20
    assert at.slider(key="train_width_shift").value == pytest.approx(0.1)
    assert any("28×28 pixels, grayscale" in c.value for c in at.caption)


def test_tiny_training_completes_and_shows_results():
    at = tiny_settings(app_test("pages/train.py").run(), epochs=1)
    at.button(key="train_start").click().run()
    assert not at.exception
    assert at.button(key="train_start").disabled  # one job at a time
    at, job = run_until_done(at)
    assert not at.exception
    assert job.status == "finished", job.error
    shown = metrics(at)
    assert shown["Test accuracy"].endswith("%")
    assert "Training loss" in shown
    assert any("Classification report" in m.value for m in at.markdown)
    assert len(at.dataframe) >= 2  # summary table and classification report
    # The model is in this session's store, listed on the page.
    [meta] = ModelStore().list(at.session_state["cnnviz_session_id"])
    assert meta["dataset"]["name"] == "shapes"
    assert any(meta["name"] in e.label for e in at.expander)
    assert not at.button(key="train_start").disabled


def test_choosing_a_confusion_cell_filters_the_images():
    at = tiny_settings(app_test("pages/train.py").run(), epochs=1)
    at.button(key="train_start").click().run()
    at, job = run_until_done(at)
    ev = job.result.evaluation
    true, pred = int(ev.y_true[0]), int(ev.y_pred[0])
    names = ev.class_names
    at.selectbox(key="train_cm_true").set_value(names[true])
    at.selectbox(key="train_cm_pred").set_value(names[pred]).run()
    assert not at.exception
    count = int(ev.confusion_matrix()[true, pred])
    assert any(c.value.startswith(f"{count} test images") for c in at.caption)


def test_stop_button_stops_the_job():
    at = tiny_settings(app_test("pages/train.py").run(), epochs=50)
    at.button(key="train_start").click().run()
    job = training.get_job(at.session_state["train_job_id"])
    deadline = time.monotonic() + 120
    while job.latest(training.BatchEnd) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    at.button(key="train_stop").click().run()
    at, job = run_until_done(at)
    assert not at.exception
    assert job.status == "stopped"
    assert any("Stopped" in s.value for s in at.success)
    assert "(stopped)" in metrics(at)["Epochs"]


def test_queued_job_shows_its_position(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "1")
    ds = datasets.load("shapes", n_train=2000, n_test=50, image_size=24)
    blocker = training.TrainingJob(ds, training.TrainingConfig(epochs=50, batch_size=8))
    blocker.start()
    at = tiny_settings(app_test("pages/train.py").run())
    at.button(key="train_start").click().run()
    assert not at.exception
    assert any("number 1 in the queue (first come, first served)" in i.value for i in at.info)
    blocker.stop()
    at, job = run_until_done(at)
    assert job.status == "finished", job.error


def _sidebar_script():
    from cnnviz.ui.common.sidebar import render_sidebar

    render_sidebar()


def test_queued_job_reads_the_same_in_the_sidebar_and_the_progress_section(monkeypatch):
    # The sidebar said "position 2" while the page said "number 1": both now read one source.
    from cnnviz.ui.common.queue_place import queue_place

    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "1")
    ds = datasets.load("shapes", n_train=2000, n_test=50, image_size=24)
    blocker = training.TrainingJob(ds, training.TrainingConfig(epochs=50, batch_size=8))
    blocker.start()
    at = tiny_settings(app_test("pages/train.py").run())
    at.button(key="train_start").click().run()
    assert not at.exception
    job = training.get_job(at.session_state["train_job_id"])
    wording = queue_place(job)
    assert wording.startswith("number 1 in the queue") and "first come, first served" in wording
    assert any(wording in i.value for i in at.info), [i.value for i in at.info]
    startup.start_core_import()  # the sidebar lists jobs once the core is loaded
    startup._READY.wait(300)
    import streamlit

    links = []  # a bare script has no pages to link to: keep the links' labels instead
    monkeypatch.setattr(streamlit, "page_link", lambda page, label, **_: links.append(label))
    bar = AppTest.from_function(_sidebar_script)
    bar.session_state["cnnviz_session_id"] = job.owner  # the same workspace's sidebar
    bar.run()
    assert not bar.exception
    assert any(wording in label for label in links), links
    blocker.stop()
    at, job = run_until_done(at)
    assert job.status == "finished", job.error


def _bad_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("../escape/evil.png", b"not really a png")
    return out.getvalue()


@pytest.mark.parametrize("content", [b"this is not a zip file", _bad_zip()])
def test_bad_zip_shows_an_error(content):
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("__zip__").run()
    at.file_uploader(key="train_zip_upload").set_value(("mine.zip", content, "application/zip"))
    at.run()
    assert not at.exception
    assert at.error and at.error[0].value
    assert any("upload a .zip" in i.value for i in at.info)


def test_architecture_that_does_not_fit_blocks_training():
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("digits").run()
    at.select_slider(key="train_opt_digits_size").set_value(8).run()
    at.selectbox(key="train_arch").set_value("tiny_vgg").run()
    assert not at.exception
    assert at.warning and "Layer" in at.warning[0].value
    assert at.button(key="train_start").disabled


def _keras_file(tmp_path, lambda_layer: bool) -> bytes:
    layers = [keras.Input((8, 8, 3))]
    if lambda_layer:
        layers.append(keras.layers.Lambda(lambda x: x + 1.0))
    layers += [keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")]
    path = tmp_path / "m.keras"
    keras.Sequential(layers).save(path)
    return path.read_bytes()


@pytest.mark.parametrize(("lambda_layer", "ok"), [(False, True), (True, False)])
def test_keras_upload(tmp_path, lambda_layer, ok):
    at = app_test("pages/train.py").run()
    at.file_uploader(key="train_keras_upload").set_value(
        ("m.keras", _keras_file(tmp_path, lambda_layer), "application/octet-stream")
    )
    at.text_input(key="train_upload_classes").set_value("cat, dog")
    at.button[-1].click().run()  # the form's submit button comes last
    assert not at.exception
    owner = at.session_state["cnnviz_session_id"]
    if ok:
        assert at.success and "Added" in at.success[0].value
        [meta] = ModelStore().list(owner)
        assert meta["class_names"] == ["cat", "dog"]
        # "Your models", drawn above the form, lists the new model in the same click
        assert any("m.keras" in e.label for e in at.expander)
    else:
        assert at.error and "Lambda" in at.error[0].value
        assert ModelStore().list(owner) == []


def test_model_store_rename_and_delete():
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    model = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")]
    )
    store = ModelStore()
    model_id = store.save(model, {"name": "old name", "owner": owner})
    other = store.save(model, {"name": "not mine", "owner": "someone else"})
    at.run()
    labels = [e.label for e in at.expander]
    assert any("old name" in label for label in labels)
    assert not any("not mine" in label for label in labels)
    at.text_input(key=f"train_store_name_{model_id}").set_value("new name")
    at.button(key=f"train_store_rename_{model_id}").click().run()
    assert not at.exception
    assert store.info(model_id)["name"] == "new name"
    at.button(key=f"train_store_delete_{model_id}").click().run()
    assert not at.exception
    assert [m["id"] for m in store.list()] == [other]
    assert not any("new name" in e.label for e in at.expander)


def test_settings_and_job_survive_a_visit_to_another_page():
    at = app_test("app.py").run()
    at.switch_page("pages/train.py").run()
    at = tiny_settings(at, epochs=2)
    at.selectbox(key="train_optimizer").set_value("sgd").run()
    at.button(key="train_start").click().run()
    job = training.get_job(at.session_state["train_job_id"])
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert job.wait(300) and job.status == "finished", job.error  # kept running meanwhile
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.number_input(key="train_epochs").value == 2
    assert at.selectbox(key="train_optimizer").value == "sgd"
    assert at.select_slider(key="train_opt_shapes_n").value == 600
    assert "Test accuracy" in metrics(at)


def test_class_counts_can_be_shown_as_a_pie_chart():
    at = app_test("pages/train.py").run()
    assert at.radio(key="train_class_counts_chart").value == "bars"
    at.radio(key="train_class_counts_chart").set_value("pie").run()
    assert not at.exception
    chart = next(c for c in at.get("plotly_chart") if "train_class_counts" in c.proto.id)
    assert {t["type"] for t in json.loads(chart.proto.spec)["data"]} == {"pie"}


def test_batch_size_200_is_offered():
    at = app_test("pages/train.py").run()
    assert "200" in at.selectbox(key="train_batch").options
    at.selectbox(key="train_batch").set_value(200).run()
    assert not at.exception and at.selectbox(key="train_batch").value == 200


def test_zip_sizes_offer_the_courses_150_by_default_and_300():
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("__zip__").run()
    assert not at.exception
    sizes = at.button_group(key="train_zip_size")
    assert [int(o.content.split()[0]) for o in sizes.proto.options] == [64, 150, 224, 300]
    assert sizes.value == 150


def test_the_test_set_can_be_the_validation_data():
    at = tiny_settings(app_test("pages/train.py").run())
    assert at.checkbox(key="train_val_on_test").value is False
    at.checkbox(key="train_val_on_test").check().run()
    assert not at.exception
    assert at.slider(key="train_val").disabled
    text = " ".join(e.value for e in [*at.caption, *at.info, *at.warning])
    assert "no longer an unbiased estimate" in text
    at.button(key="train_start").click().run()
    at, job = run_until_done(at)
    assert not at.exception and job.status == "finished", job.error
    assert job.config.validate_on_test
    started = job.events()[0]
    assert started.val_samples == len(job.dataset.x_test)
    assert started.train_samples == len(job.dataset.x_train)
