"""The Course experiments picker on Train: one click sets the page up as the course ran it."""

import numpy as np
import pytest

from cnnviz.ui.train.state import ZIP_CHOICE
from tests.pages.conftest import app_test, run_until_done

pytestmark = pytest.mark.usefixtures("stop_jobs")


def fake_mnist(home, n_train=300, n_test=60):
    """A small learnable stand-in for mnist.npz (scikit-learn's digits upscaled to 28 × 28)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.kron(digits.images, np.ones((3, 3)))  # 24 × 24
    images = np.pad(images, ((0, 0), (2, 2), (2, 2))) * (255 / 16)
    x, y = images.astype(np.uint8), digits.target.astype(np.uint8)
    folder = home / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(
        folder / "mnist.npz",
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_train : n_train + n_test],
        y_test=y[n_train : n_train + n_test],
    )
    return home


@pytest.fixture
def mnist_home(tmp_path, monkeypatch):
    home = fake_mnist(tmp_path / "keras")
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


def test_picking_an_experiment_sets_every_setting_of_the_course(mnist_home):
    at = app_test("pages/train.py").run()
    assert not at.exception
    at.selectbox(key="train_course_pick").set_value("vs_mnist_cnn")
    at.button(key="train_course_apply").click().run()
    assert not at.exception
    assert at.selectbox(key="train_dataset").value == "mnist"
    assert at.selectbox(key="train_arch").value == "mnist_cnn"
    assert at.number_input(key="train_epochs").value == 5
    assert int(at.selectbox(key="train_batch").value) == 64
    assert at.session_state["train_optimizer"] == "rmsprop"
    assert at.session_state["train_lr"] == pytest.approx(1e-3)
    assert at.radio(key="train_schedule").value == "constant"
    assert any("Total params 93,322" in c.value for c in at.caption)


def test_a_course_zip_experiment_sets_the_augmentation_and_asks_for_the_archive():
    at = app_test("pages/train.py").run()
    at.selectbox(key="train_course_pick").set_value("tf_cats_vs_dogs_augmentation")
    at.button(key="train_course_apply").click().run()
    assert not at.exception
    assert at.selectbox(key="train_dataset").value == ZIP_CHOICE
    assert at.session_state["train_zip_size"] == 150
    assert at.session_state["train_arch"] == "cats_vs_dogs_cnn"
    assert at.session_state["train_rotation_deg"] == 40
    assert at.session_state["train_flip"] == "horizontal"
    assert at.session_state["train_lr"] == pytest.approx(1e-4)
    assert at.session_state["train_batch"] == 20
    assert any("cats_and_dogs_filtered.zip" in w.value for w in at.warning)


def test_a_home_link_sets_the_page_up_and_the_figures_follow_the_run(mnist_home):
    at = app_test("pages/train.py")
    at.query_params["course"] = "vs_mnist_cnn"
    at.run()
    assert not at.exception
    assert at.session_state["train_arch"] == "mnist_cnn"
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    at, job = run_until_done(at)
    assert job.status == "finished", job.error
    assert any("beside ours" in m.value for m in at.markdown)
    table = at.table[0].value
    assert list(table["The course"]) == ["93,322"] and list(table["This run"]) == ["93,322"]
    assert any("1 of the course's 5 epochs" in c.value for c in at.caption)


def test_home_lists_every_experiment_by_course_with_a_link_that_sets_its_page_up():
    from cnnviz import courses

    at = app_test("app.py").run()
    assert not at.exception
    titles = [e.label for e in at.expander]
    for title in courses.COURSES.values():
        assert any(t.startswith(title) for t in titles), title
    links = at.get("page_link")
    course_links = [link for link in links if link.proto.query_string.startswith("course=")]
    assert len(course_links) == len(courses.available())
    first = courses.available()[0]
    assert any(link.proto.query_string == f"course={first.key}" for link in course_links)


def test_the_autoencoder_page_sets_up_the_course_run(mnist_home):
    at = app_test("pages/autoencoder.py").run()
    at.selectbox(key="autoencoder_course_pick").set_value("lo_denoising_autoencoder")
    at.button(key="autoencoder_course_apply").click().run()
    assert not at.exception
    assert at.selectbox(key="autoencoder_dataset").value == "mnist"
    assert at.number_input(key="autoencoder_epochs").value == 25
    assert at.selectbox(key="autoencoder_batch").value == 64
    assert at.slider(key="autoencoder_noise").value == pytest.approx(0.5)
    assert at.radio(key="autoencoder_network").value == "course"
    assert any("validation loss 0.1171 (epoch 25)" in c.value for c in at.caption)


def _note_page(url_path):
    from cnnviz.ui.common.course_picker import course_note

    course_note(url_path)


@pytest.mark.parametrize(
    ("url", "shown"), [("filters", 1), ("gradcam", 0)], ids=["its page", "another page"]
)
def test_a_page_without_a_picker_names_the_course_experiment_it_was_opened_for(url, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_note_page, args=(url,))
    at.query_params["course"] = "vs_filter_banks"
    at.run()
    assert not at.exception
    notes = [i.value for i in at.info if "Course experiment" in i.value]
    assert len(notes) == shown
    assert not notes or "filter banks" in notes[0]
    train = AppTest.from_function(_note_page, args=("train",))
    train.query_params["course"] = "vs_mnist_cnn"  # the picker says it there
    assert not train.run().info


def test_every_train_experiment_sets_the_page_up_without_an_error():
    from cnnviz import courses
    from cnnviz.ui.common.text import plain

    at = app_test("pages/train.py").run()
    for exp in courses.available(page="train"):
        at.selectbox(key="train_course_pick").set_value(exp.key)
        at.button(key="train_course_apply").click().run()
        assert not at.exception, exp.key
        if exp.network is not None:
            assert at.session_state["train_arch"] == exp.network, exp.key
        if exp.training:
            assert at.session_state["train_epochs"] == exp.training["epochs"], exp.key
        assert any(plain(exp.title) in c.value for c in at.caption), exp.key
