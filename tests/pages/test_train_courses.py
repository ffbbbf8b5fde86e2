"""Train page: the courses' augmentation, training settings, activation everywhere, continue."""

import time

import pytest

from cnnviz import datasets, training
from cnnviz.store import ModelStore
from cnnviz.ui.train.state import BATCH_SIZES, LEARNING_RATES
from tests.pages.conftest import app_test, run_until_done
from tests.pages.test_train import tiny_settings

pytestmark = pytest.mark.usefixtures("stop_jobs")


def test_courses_settings_button_sets_every_control_and_previews_one_image():
    at = app_test("pages/train.py").run()
    at.button(key="train_aug_courses").click().run()
    assert not at.exception
    assert at.slider(key="train_rotation_deg").value == 40
    assert at.slider(key="train_width_shift").value == pytest.approx(0.2)
    assert at.slider(key="train_height_shift").value == pytest.approx(0.2)
    assert at.slider(key="train_shear_deg").value == pytest.approx(0.2)
    assert at.slider(key="train_zoom").value == pytest.approx(0.2)
    assert at.selectbox(key="train_flip").value == "horizontal"
    assert at.selectbox(key="train_fill_mode").value == "nearest"
    assert any("8 ways training might see" in c.value for c in at.caption)
    at.number_input(key="train_aug_image").set_value(5).run()
    assert not at.exception
    at.button(key="train_aug_off").click().run()
    assert at.slider(key="train_rotation_deg").value == 0
    assert not any("8 ways training might see" in c.value for c in at.caption)


def test_course_batch_sizes_learning_rates_and_a_plain_constant_schedule():
    assert {20, 64, 128} <= set(BATCH_SIZES)
    assert {1e-5, 1e-4, 2e-4, 1e-3, 1e-2} <= set(LEARNING_RATES)
    at = app_test("pages/train.py").run()
    assert at.radio(key="train_schedule").options == ["constant", "cosine decay"]
    assert at.selectbox(key="train_batch").options == [str(b) for b in BATCH_SIZES]


def test_weight_decay_and_constant_rate_reach_the_job_and_its_name():
    at = tiny_settings(app_test("pages/train.py").run(), epochs=1)
    at.select_slider(key="train_l2").set_value(1e-4)
    at.radio(key="train_schedule").set_value("constant")
    at.selectbox(key="train_batch").set_value(20).run()
    at.button(key="train_start").click().run()
    assert not at.exception
    job = training.get_job(at.session_state["train_job_id"])
    assert job.config.l2 == pytest.approx(1e-4) and job.config.schedule == "constant"
    assert job.name.startswith("#1 ") and "L2 0.0001" in job.name and "batch 20" in job.name
    at, job = run_until_done(at)
    assert job.status == "finished", job.error
    assert "Progress" in [h.value for h in at.subheader]
    # New data: the finished job's progress and results go, "Look at the data" opens.
    at.selectbox(key="train_dataset").set_value("digits").run()
    assert not at.exception
    assert "Progress" not in [h.value for h in at.subheader]
    assert "train_job_id" not in at.session_state


def test_use_this_activation_everywhere_sets_every_layer():
    at = app_test("pages/train.py").run()
    at.toggle(key="train_custom").set_value(True).run()
    at.selectbox(key="train_all_activation").set_value("tanh").run()
    at.button(key="train_all_activation_apply").click().run()
    assert not at.exception
    frame = at.session_state["train_spec_base"]
    layers = frame[frame["type"].isin(["conv2d", "dense"])]
    assert len(layers) >= 3 and set(layers["activation"]) == {"tanh"}


def test_continue_training_button_starts_from_the_stored_model():
    at = app_test("pages/train.py").run()
    owner = at.session_state["cnnviz_session_id"]
    ds = datasets.load("shapes", n_train=600, n_test=150, image_size=24)
    first = training.TrainingJob(
        ds, training.TrainingConfig(epochs=1, batch_size=32), store=ModelStore(), owner=owner
    ).start()
    assert first.wait(300) and first.status == "finished", first.error
    model_id = first.result.model_id
    at.run()
    at.number_input(key=f"train_store_more_{model_id}").set_value(1)
    at.button(key=f"train_store_continue_{model_id}").click().run()
    assert not at.exception
    job = training.get_job(at.session_state["train_job_id"])
    assert job.config.continue_from == model_id and job.config.epochs == 1
    assert job.name.endswith("+1 epochs")
    deadline = time.monotonic() + 300
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.5)
    assert job.status == "finished", job.error
    assert job.history["loss"][0] < 1.2 * first.history["loss"][-1] + 0.05
