"""A course experiment in Chromium: picked on Home, run, the course's figures beside ours."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serve_app, wait_for_app
from tests.pages.test_course_picker import fake_mnist

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mnist_app_url(tmp_path_factory):
    """The app with a small stand-in mnist.npz in its Keras cache (no download)."""
    tmp = tmp_path_factory.mktemp("e2e-courses")
    home = fake_mnist(tmp / "keras")
    with serve_app(tmp / "cnnviz", {"KERAS_HOME": str(home)}) as url:
        yield url


def test_a_course_experiment_from_home_to_the_figures_beside_ours(mnist_app_url, page):
    page.goto(mnist_app_url)
    wait_for_app(page)
    page.get_by_text("Vanschoren's lecture on convolutional neural networks").first.click()
    link = page.get_by_role("link", name="A simple convnet on MNIST · Train")
    link.wait_for()
    screenshot(page, "home-course-experiments")
    link.click()
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page)
    assert "course=vs_mnist_cnn" in page.url
    assert not page.get_by_test_id("stException").count()
    # The course's settings are set: its network, RMSprop, 5 epochs.
    page.get_by_text("Set up: Vanschoren's lecture").first.wait_for()
    # The widget takes the course's value on the rerun the link started: wait for it.
    expect(page.get_by_label("Epochs")).to_have_value("5", timeout=60_000)
    wait_for_app(page)
    page.locator(".st-key-train_start button").first.click()
    page.get_by_text("The course's figures beside ours").wait_for(timeout=300_000)
    wait_for_app(page)
    table = page.get_by_test_id("stTable")
    assert table.get_by_text("93,322").count() == 2  # the course's count and ours
    assert page.get_by_text("Our numbers may differ from the course's because").count()
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "course-experiment-beside-ours")


def test_a_home_link_to_a_page_without_a_picker_names_its_experiment(mnist_app_url, page):
    page.goto(mnist_app_url)
    wait_for_app(page)
    page.get_by_text("Vanschoren's lecture on convolutional neural networks").first.click()
    page.get_by_role("link", name="Image convolution: filter banks · Filters").click()
    page.get_by_role("heading", name="Filters").first.wait_for()
    wait_for_app(page)
    page.get_by_text("Course experiment · Vanschoren's lecture").wait_for()
    assert not page.get_by_test_id("stException").count()
