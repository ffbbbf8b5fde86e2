import pytest

from cnnviz.store import ModelStore
from cnnviz.ui.common import model_picker
from tests.pages.conftest import app_test, run_until_done

PAGE = "pages/autoencoder.py"


pytestmark = pytest.mark.usefixtures("stop_jobs")


def test_page_loads_with_the_course_settings_on_digits():
    at = app_test(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Denoising autoencoder"
    assert at.selectbox(key="autoencoder_dataset").value == "digits"
    assert at.slider(key="autoencoder_noise").value == pytest.approx(0.5)
    assert at.radio(key="autoencoder_loss").value == "binary_crossentropy"
    layers = next(d.value for d in at.dataframe if "output" in d.value.columns)
    assert "7 × 7 × 32" in set(layers["output"])
    assert not at.button(key="autoencoder_start").disabled
    assert any("Train an autoencoder above" in i.value for i in at.info)
    assert not at.error


def _page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(str(p) for p in parts)


def test_the_default_is_the_courses_network_with_the_courses_settings():
    at = app_test(PAGE).run()
    assert not at.exception
    assert at.radio(key="autoencoder_network").value == "course"
    assert at.number_input(key="autoencoder_epochs").value == 25
    assert at.selectbox(key="autoencoder_batch").value == 64
    assert at.slider(key="autoencoder_noise").value == pytest.approx(0.5)
    layers = next(d.value for d in at.dataframe if "output" in d.value.columns)
    assert int(layers["params"].sum()) == 37_601
    assert "LeakyReLU" in set(layers["type"])
    text = _page_text(at)
    assert "37,601 parameters" in text
    assert "batch 64" in text and "25 epochs" in text and "noise 0.5" in text
    assert "batch 128" not in text and "50 epochs" not in text
    assert "noisy test set" in text  # what validation is, as in the course
    # The lighter network is offered, and labelled as not the course's.
    at.radio(key="autoencoder_network").set_value("light").run()
    assert not at.exception
    layers = next(d.value for d in at.dataframe if "output" in d.value.columns)
    assert int(layers["params"].sum()) == 28_353
    assert "not the course's" in _page_text(at)


def test_train_shows_loss_curves_rows_truth_and_bottleneck():
    at = app_test(PAGE, timeout=300).run()
    at.number_input(key="autoencoder_epochs").set_value(2).run()
    at.button(key="autoencoder_start").click().run()
    assert not at.exception
    at, job = run_until_done(at, "autoencoder")
    assert job.status == "finished", job.error
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert "Validation reconstruction loss" in labels
    assert not any("accuracy" in label.lower() for label in labels)
    text = " ".join(m.value for m in at.markdown)
    assert "**Original**" in text and "clipped to 0..1" in text and "Reconstructed" in text
    assert "closer" in text or "no better than doing nothing" in text
    assert at.selectbox(key="autoencoder_model").value == job.result.model_id
    # The course's printed losses beside ours, with why they may differ.
    text = _page_text(at)
    assert "0.1196" in text and "0.1171" in text
    ours = f"{job.history['val_loss'][-1]:.4f}"
    assert ours in text
    assert "60,000" in text and "scikit-learn" in text
    # Re-noise live: a stronger level is shown in the row title and the truth line.
    at.slider(key="autoencoder_view_noise").set_value(0.8).run()
    assert not at.exception
    assert "level 0.8" in " ".join(m.value for m in at.markdown)
    at.button(key="autoencoder_reseed").click().run()
    assert not at.exception
    # The classification pages do not offer the autoencoder.
    meta = ModelStore().info(job.result.model_id)
    assert meta["kind"] == "autoencoder"
    choices = [o.choice for o in model_picker.model_options(job.owner)]
    assert f"stored:{job.result.model_id}" not in choices


def test_an_unloadable_dataset_is_a_message_not_an_exception(monkeypatch):
    from cnnviz import datasets
    from cnnviz.datasets import keras_files
    from cnnviz.errors import InputError

    real = datasets.load

    def offline(name, **options):
        if name == "mnist":
            raise InputError("mnist.npz is damaged; place a good copy in ~/.keras/datasets.")
        return real(name, **options)

    monkeypatch.setattr(keras_files, "is_cached", lambda name: True)  # so loading is tried
    monkeypatch.setattr(datasets, "load", offline)
    at = app_test(PAGE).run()
    at.selectbox(key="autoencoder_dataset").set_value("mnist").run()
    assert not at.exception
    assert any("mnist.npz is damaged" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "autoencoder_start"]


def test_settings_come_back_after_a_visit_to_another_page():
    at = app_test(PAGE).run()
    at.slider(key="autoencoder_noise").set_value(0.3).run()
    at.radio(key="autoencoder_loss").set_value("mse").run()
    # Another page's run does not draw these widgets, so Streamlit forgets their values.
    saved = dict(at.session_state["autoencoder_saved_settings"])
    fresh = app_test(PAGE)
    fresh.session_state["autoencoder_saved_settings"] = saved
    fresh.run()
    assert not fresh.exception
    assert fresh.slider(key="autoencoder_noise").value == pytest.approx(0.3)
    assert fresh.radio(key="autoencoder_loss").value == "mse"
