from streamlit.testing.v1 import AppTest


def test_app_loads_home_page():
    at = AppTest.from_file("app.py", default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "cnnviz"
