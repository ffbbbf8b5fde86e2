from cnnviz.ui.common import startup
from tests.pages.conftest import app_test


def test_app_loads_home_page():
    at = app_test("app.py").run()
    assert not at.exception
    assert at.title[0].value.startswith("cnnviz")


def test_router_reaches_the_filters_page():
    at = app_test("app.py").run()
    at.switch_page("pages/filters.py").run()
    assert not at.exception
    assert at.title[0].value == "Filters"
    assert [t.label for t in at.tabs][:2] == ["Gabor", "Sobel"]


def test_sidebar_names_the_device_once_training_is_loaded():
    startup.start_core_import()  # what app.py does on a fresh server
    startup._READY.wait(300)

    at = app_test("app.py").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Device: CPU" in captions or "Device: GPU" in captions
