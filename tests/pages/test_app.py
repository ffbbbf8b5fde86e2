from tests.pages.conftest import app_test


def test_app_loads_home_page():
    at = app_test("app.py").run()
    assert not at.exception
    assert at.title[0].value == "cnnviz"
