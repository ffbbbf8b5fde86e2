"""My classes page: classes made and renamed, images from files and the camera, bad input,
the quota, training on the bundled base, a guess with Grad-CAM, and the exports."""

import cv2
import numpy as np
import pytest

from tests.pages.conftest import app_test

PAGE = "pages/my_classes.py"
pytestmark = pytest.mark.usefixtures("stop_jobs")


def _png(level, seed=0):
    rng = np.random.default_rng(seed)
    img = np.clip(level + rng.normal(0, 8, (48, 64, 3)), 0, 255).astype(np.uint8)
    return cv2.imencode(".png", img)[1].tobytes()


def _jpeg(level, seed=0):
    rng = np.random.default_rng(seed)
    img = np.clip(level + rng.normal(0, 8, (240, 320, 3)), 0, 255).astype(np.uint8)
    return cv2.imencode(".jpg", img)[1].tobytes()


def _texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def _ok(at):
    assert not at.exception, at.exception
    assert not at.error, _texts(at, "error")


def _add_class(at, name):
    at.text_input(key="myclasses_new_name").input(name)
    at.form_submit_button[0].click().run()
    return at


def _n(at, name):
    """The counter in the key of a widget that starts empty again (state.counter)."""
    key = f"myclasses_{name}_n"
    return at.session_state[key] if key in at.session_state else 0  # noqa: SIM401 (no .get)


def _choose(at, class_name):
    """Pick the class named ``class_name`` in 'Add to class'."""
    from cnnviz import myclasses, workspaces

    key = at.session_state["cnnviz_session_id"]
    class_id = myclasses.Project(workspaces.Workspace(key)).class_id(class_name)
    at.radio(key="myclasses_target").set_value(class_id).run()
    return at


def _add_files(at, class_name, files):
    at.radio(key="myclasses_source").set_value("Files").run()
    _choose(at, class_name)
    at.file_uploader(key=f"myclasses_files_{_n(at, 'files')}").set_value(files).run()
    at.button(key="myclasses_add_files").click().run()
    return at


def test_page_starts_empty_and_classes_are_made_renamed_and_deleted():
    at = app_test(PAGE).run()
    _ok(at)
    assert "Make a class first" in " ".join(_texts(at, "info"))
    _add_class(at, "thumbs up")
    _add_class(at, "thumbs down")
    _ok(at)
    assert any("thumbs down" in s for s in _texts(at, "success"))
    names = [w.value for w in at.text_input if w.key and w.key.startswith("myclasses_name_")]
    assert names == ["thumbs up", "thumbs down"]
    at.text_input(key=next(w.key for w in at.text_input if w.value == "thumbs down")).input(
        "flat hand"
    ).run()
    _ok(at)
    names = [w.value for w in at.text_input if w.key and w.key.startswith("myclasses_name_")]
    assert names == ["thumbs up", "flat hand"]
    _add_class(at, "Thumbs Up")  # taken, whatever the case
    assert any("already a class" in e for e in _texts(at, "error"))
    delete = next(b for b in at.button if b.key and b.key.startswith("myclasses_delete_"))
    delete.click().run()
    names = [w.value for w in at.text_input if w.key and w.key.startswith("myclasses_name_")]
    assert names == ["flat hand"]


def test_files_are_added_bad_ones_named_and_one_class_cannot_train():
    at = app_test(PAGE).run()
    _add_class(at, "dark")
    _add_files(
        at,
        "dark",
        [("a.png", _png(40, 1), "image/png"), ("b.png", _png(40, 2), "image/png"),
         ("notes.png", b"this is text", "image/png")],
    )  # fmt: skip
    assert not at.exception
    assert any("Added 2 image(s) to “dark”" in s for s in _texts(at, "success"))
    assert any("notes.png" in w for w in _texts(at, "warning"))
    assert any(m == "**2** images" for m in _texts(at, "markdown"))
    at.button(key="myclasses_train").click().run()
    assert any("at least two classes" in e for e in _texts(at, "error"))


def test_an_empty_class_cannot_train():
    at = app_test(PAGE).run()
    _add_class(at, "dark")
    _add_class(at, "bright")
    _add_files(at, "dark", [("a.png", _png(40, 1), "image/png")])
    at.button(key="myclasses_train").click().run()
    assert any("“bright” has no images" in e for e in _texts(at, "error"))


def test_a_full_workspace_says_so_on_the_page(monkeypatch):
    at = app_test(PAGE).run()
    _add_class(at, "noise")
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "0.05")
    rng = np.random.default_rng(0)
    noisy = cv2.imencode(".png", rng.integers(0, 255, (224, 224, 3), np.uint8))[1].tobytes()
    _add_files(at, "noise", [(f"{i}.png", noisy, "image/png") for i in range(4)])
    assert not at.exception
    errors = _texts(at, "error")
    assert any("workspace is full" in e and "Remove images" in e for e in errors), errors


def test_snapshots_in_a_row_then_train_guess_with_gradcam_and_export():
    at = app_test(PAGE, timeout=300).run()
    _add_class(at, "dark")
    _add_class(at, "bright")
    _choose(at, "dark")
    for i in range(3):  # the camera starts empty again after each snapshot
        at.camera_input(key=f"myclasses_camera_{_n(at, 'camera')}").set_value(
            ("shot.jpg", _jpeg(40, i), "image/jpeg")
        ).run()
        assert not at.exception
    _add_files(at, "bright", [(f"{i}.png", _png(215, i), "image/png") for i in range(3)])
    _ok(at)
    assert [m for m in _texts(at, "markdown") if m.endswith("images")] == [
        "**3** images",
        "**3** images",
    ]
    at.button(key="myclasses_train").click().run()
    _ok(at)
    assert any(s.startswith("Trained.") for s in _texts(at, "success")), _texts(at, "success")
    at.radio(key="myclasses_try_source").set_value("A file").run()
    at.file_uploader(key="myclasses_try_file_0").set_value(
        ("probe.png", _png(215, 9), "image/png")
    ).run()
    _ok(at)
    assert any(m.startswith("**bright**") for m in _texts(at, "markdown"))
    captions = [c for img in at.image for c in img.captions]
    assert any(c.startswith("Grad-CAM for “bright”") for c in captions), captions
    keys = {b.key for b in at.download_button}
    assert {"myclasses_zip_download", "myclasses_keras_download"} <= keys
    at.button(key="myclasses_tflite").click().run()
    _ok(at)
    shown = _texts(at, "success") + _texts(at, "warning")
    assert any("the same top-1 class as the Keras model on 6 of 6" in s for s in shown), shown
    assert "myclasses_tflite_download" in {b.key for b in at.download_button}

    # Look inside it: the model joins the workspace's models, the default of those pages.
    from cnnviz.ui.common.model_picker import default_choice, model_options

    owner = at.session_state["cnnviz_session_id"]
    at.button(key="myclasses_to_store").click().run()
    _ok(at)
    shown = _texts(at, "success")
    assert any("Added to your models" in s and "Grad-CAM, Activations" in s for s in shown), shown
    captions = _texts(at, "caption")
    assert any("In your models as “My classes" in c and "dark, bright”" in c for c in captions), [
        c for c in captions if "models" in c
    ]
    assert not [b for b in at.button if b.key == "myclasses_to_store"]  # once per training
    options = model_options(owner)
    assert options[0].label.startswith("Your model: My classes: dark, bright")
    assert default_choice(options, owner) == options[0].choice


def test_the_code_of_the_training_is_shown_once_two_classes_have_images():
    at = app_test(PAGE).run()
    assert not [e for e in at.expander if e.label.startswith("The code")]
    for name, level in (("dark", 40), ("light", 210)):
        _add_class(at, name)
        files = [(f"{name}{i}.png", _png(level, i), "image/png") for i in range(2)]
        _add_files(at, name, files)
    _ok(at)
    assert not at.code  # drawn on request only
    at.toggle(key="myclasses_code_show").set_value(True).run()
    [code] = [c.value for c in at.code]
    assert 'ZIP_PATH = "my_images.zip"' in code and "model.summary()" in code
    assert "efficientnet" in code.lower()  # the bundled base the page trains on


def test_a_second_tab_pressing_train_is_told_the_classes_are_already_training():
    from cnnviz import myclasses

    at = app_test(PAGE).run()
    _add_class(at, "dark")
    _add_class(at, "bright")
    _add_files(at, "dark", [("a.png", _png(40, 1), "image/png")])
    _add_files(at, "bright", [("b.png", _png(215, 1), "image/png")])
    with myclasses.PLACES.hold(at.session_state["cnnviz_session_id"]):  # the other tab
        at.button(key="myclasses_train").click().run()
    assert not at.exception
    assert any("already training" in e for e in _texts(at, "error")), _texts(at, "error")
    assert myclasses.PLACES.counts() == (0, 0)


def test_the_waiting_text_says_how_many_trainings_are_ahead():
    from cnnviz.ui.myclasses.model_ui import _waiting_text

    assert "1 classmate's training is ahead of yours" in _waiting_text(1)
    assert "3 classmates' trainings are ahead of yours" in _waiting_text(3)
