"""The shared model picker: what a session sees, the default, and one choice for all pages."""

from cnnviz import pretrained
from cnnviz.ui.common.model_picker import CHOICE_KEY
from tests.pages.conftest import app_test
from tests.pages.inspect_helpers import OWNER, save_tiny_model


def test_choice_is_shared_by_the_inspection_pages():
    older = save_tiny_model(name="older model")
    newest = save_tiny_model(name="newest model")
    at = app_test("app.py")
    at.session_state["cnnviz_session_id"] = OWNER
    at.run()
    at.switch_page("pages/activations.py").run()
    assert at.selectbox(key="activations_choice").value == f"stored:{newest}"  # newest own
    at.selectbox(key="activations_choice").set_value(f"stored:{older}").run()
    assert at.session_state[CHOICE_KEY] == f"stored:{older}"
    for page, key in [("pages/gradcam.py", "gradcam_choice"), ("pages/featureviz.py",
                                                               "featureviz_choice")]:  # fmt: skip
        at.switch_page(page).run()
        assert not at.exception
        assert at.selectbox(key=key).value == f"stored:{older}"


def test_lists_own_then_shared_then_pretrained_bundled_first():
    save_tiny_model(name="mine")
    save_tiny_model("another-session", name="theirs, shared", shared=True)
    save_tiny_model("another-session", name="theirs, private")
    at = app_test("pages/activations.py")
    at.session_state["cnnviz_session_id"] = OWNER
    at.run()
    options = at.selectbox(key="activations_choice").options
    assert options[0].startswith("Your model: mine")
    assert options[1].startswith("Shared model: theirs, shared")
    assert not any("private" in o for o in options)
    assert options[2].startswith("ImageNet: EfficientNet-Lite0")
    assert len(options) == 2 + len(pretrained.available())


def test_a_model_that_needs_a_download_waits_for_the_button(monkeypatch):
    save_tiny_model(name="mine")
    name = next(e.name for e in pretrained.available() if not e.bundled)
    monkeypatch.setattr(pretrained, "is_cached", lambda n: n == pretrained.BUNDLED)
    at = app_test("pages/activations.py")
    at.session_state["cnnviz_session_id"] = OWNER
    at.run()
    at.selectbox(key="activations_choice").set_value(f"pretrained:{name}").run()
    assert not at.exception
    assert any("not on this server yet" in str(i.value) for i in at.info)
    assert at.button(key="activations_download")
    assert not at.subheader  # nothing is computed until the student asks for the download
