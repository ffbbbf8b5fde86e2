"""Workspaces in the URL: reloads, class links and settings that are never lost."""

import pytest

from cnnviz import training, workspaces
from cnnviz.ui.train.state import ZIP_CHOICE
from tests.pages.conftest import app_test

pytestmark = pytest.mark.usefixtures("stop_jobs")


def open_train(key=None, **params):
    at = app_test("pages/train.py")
    if key:
        at.query_params["ws"] = key
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def tiny(at, epochs):
    at.select_slider(key="train_opt_shapes_n").set_value(600)
    at.select_slider(key="train_opt_shapes_size").set_value(24)
    at.number_input(key="train_epochs").set_value(epochs)
    return at.run()


def model_titles(at) -> list[str]:
    return [e.label for e in at.expander if " · " in e.label]


def test_a_reload_in_the_same_workspace_sees_the_running_job_and_its_model():
    key = workspaces.new_key()
    first = tiny(open_train(key), epochs=50)
    assert first.session_state["cnnviz_session_id"] == key
    first.button(key="train_start").click().run()
    assert not first.exception
    job = training.get_job(first.session_state["train_job_id"])
    assert job is not None and job.owner == key

    # F5: a new browser session with the same URL finds the job, live, with its Stop button.
    again = open_train(key)
    assert not again.exception
    assert again.session_state["train_job_id"] == job.id
    assert "Progress" in [h.value for h in again.subheader]
    assert again.button(key="train_start").disabled  # one job per workspace
    again.button(key="train_stop").click().run()
    assert job.wait(120)
    assert job.status == "stopped"
    again.run()
    assert any(job.name in title for title in model_titles(again))

    # Another workspace sees neither the job nor the model.
    stranger = open_train(workspaces.new_key())
    assert "Progress" not in [h.value for h in stranger.subheader]
    assert not any(job.name in title for title in model_titles(stranger))


def test_no_key_makes_a_new_workspace_and_puts_it_in_the_url():
    at = open_train()
    key = at.session_state["cnnviz_session_id"]
    assert workspaces.is_valid_key(key)
    assert at.query_params["ws"] == [key] or at.query_params["ws"] == key


def test_a_malformed_key_is_refused_with_a_message():
    at = app_test("app.py")
    at.query_params["ws"] = "../not-a-key"
    at.run()
    assert not at.exception
    key = at.session_state["cnnviz_session_id"]
    assert workspaces.is_valid_key(key) and key != "../not-a-key"
    assert any("not valid" in w.value for w in at.sidebar.warning)
    assert any(key in c.value for c in at.sidebar.code)  # the new link to copy
    assert any("Anyone with the link" in c.value for c in at.sidebar.caption)


def test_a_click_then_a_page_switch_still_starts_the_job():
    at = app_test("app.py").run()
    at.switch_page("pages/train.py").run()
    tiny(at, epochs=1)
    key = at.session_state["cnnviz_session_id"]
    at.button(key="train_start").click()
    at.switch_page("pages/home.py").run()  # the click and the switch arrive together
    assert not at.exception
    assert [j.owner for j in training.jobs(key)] == [key]


def test_the_zip_round_trip_keeps_the_shapes_settings():
    at = open_train(workspaces.new_key())
    at.select_slider(key="train_opt_shapes_size").set_value(48)
    at.select_slider(key="train_opt_shapes_n").set_value(1200)
    at.slider(key="train_opt_shapes_noise").set_value(0.1).run()
    at.selectbox(key="train_dataset").set_value(ZIP_CHOICE).run()
    at.run()  # more runs while the shapes sliders are not drawn
    at.run()
    at.selectbox(key="train_dataset").set_value("shapes").run()
    assert not at.exception
    assert at.select_slider(key="train_opt_shapes_size").value == 48
    assert at.select_slider(key="train_opt_shapes_n").value == 1200
    assert at.slider(key="train_opt_shapes_noise").value == pytest.approx(0.1)
    assert any("1,200 training" in c.value and "48×48" in c.value for c in at.caption)


def test_a_class_link_opens_with_its_settings_and_hides_the_advanced_ones():
    at = open_train(dataset="digits", arch="mnist_cnn", epochs="3", simple="1")
    assert not at.exception
    assert at.selectbox(key="train_dataset").value == "digits"
    assert at.selectbox(key="train_arch").value == "mnist_cnn"
    assert at.number_input(key="train_epochs").value == 3  # not digits' tuned 20
    assert not [s for s in at.slider if s.key == "train_val"]  # advanced: hidden
    assert at.button(key="train_show_all")
    at.run()  # stays as the teacher chose on later runs
    assert at.number_input(key="train_epochs").value == 3

    at.button(key="train_show_all").click().run()
    assert [s for s in at.slider if s.key == "train_val"]


def test_the_copied_class_link_round_trips_and_holds_no_workspace():
    teacher = open_train(workspaces.new_key())
    teacher.selectbox(key="train_dataset").set_value("digits").run()
    teacher.number_input(key="train_epochs").set_value(3).run()
    [link] = [c.value for c in teacher.code if "dataset=" in c.value]
    assert "ws=" not in link
    assert teacher.session_state["cnnviz_session_id"] not in link
    query = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))

    student = open_train(**query)
    assert student.session_state["cnnviz_session_id"] != teacher.session_state["cnnviz_session_id"]
    for key in ("train_dataset", "train_epochs", "train_lr", "train_batch", "train_width_shift"):
        assert student.session_state[key] == teacher.session_state[key], key
    assert not [s for s in student.slider if s.key == "train_val"]


def test_a_job_left_running_by_a_dead_server_shows_as_interrupted():
    import json

    key = workspaces.new_key()
    folder = workspaces.Workspace(key).jobs_dir
    folder.mkdir(parents=True)
    record = {
        "id": "job-7-0123abcd",
        "owner": key,
        "name": "MNIST CNN on shapes",
        "status": "running",
        "created": 1.0,
        "pid": 2**22 + 12345,  # no such process
        "process": "a-server-that-is-gone",
    }
    (folder / "job-7-0123abcd.json").write_text(json.dumps(record))
    at = open_train(key)
    assert not at.exception
    [warning] = [w.value for w in at.warning if "Interrupted" in w.value]
    assert "restart" in warning and "finished" not in warning.lower()
    at.button(key="train_dismiss_job-7-0123abcd").click().run()
    assert not [w for w in at.warning if "Interrupted" in w.value]


def test_an_uploaded_dataset_is_offered_again_after_a_reload(tmp_path):
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    from cnnviz import datasets

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for cls in ("cats", "dogs"):
            for i in range(8):
                png = io.BytesIO()
                Image.fromarray(np.full((16, 16, 3), 30 * i, np.uint8)).save(png, "PNG")
                zf.writestr(f"{cls}/{i}.png", png.getvalue())
    key = workspaces.new_key()
    ws = workspaces.Workspace(key)
    datasets.from_zip(buf.getvalue(), ws.dataset_dir("ab" * 8), keep="archive", name="pets")

    at = open_train(key)
    at.selectbox(key="train_dataset").set_value(ZIP_CHOICE).run()
    at.selectbox(key="train_zip_saved").set_value("ab" * 8).run()
    assert not at.exception
    assert any("pets" in c.value and "2 classes" in c.value for c in at.caption)


def test_a_reload_keeps_the_data_section_that_trained_the_shown_run():
    key = workspaces.new_key()
    first = open_train(key)
    first.selectbox(key="train_dataset").set_value("digits").run()
    first.number_input(key="train_epochs").set_value(3).run()
    assert not first.exception

    # F5: a new browser session on the same link shows the same settings, not the defaults
    # (otherwise Progress would show the digits run above a Data section set to shapes).
    again = open_train(key)
    assert not again.exception
    assert again.selectbox(key="train_dataset").value == "digits"
    assert again.number_input(key="train_epochs").value == 3

    # Another workspace starts from the defaults.
    stranger = open_train(workspaces.new_key())
    assert stranger.selectbox(key="train_dataset").value == "shapes"


@pytest.mark.parametrize(
    "script",
    ["app.py", "pages/train.py", "pages/filters.py", "pages/transfer.py", "pages/autoencoder.py"],
)
def test_a_visit_with_a_fresh_key_leaves_no_folder_behind(script):
    at = app_test(script)
    at.query_params["ws"] = workspaces.new_key()
    at.run()
    at.run()  # a second run (a rerun, a fragment) saves nothing either
    assert not at.exception
    root = workspaces.root()
    assert not root.exists() or list(root.iterdir()) == []


def test_a_changed_setting_is_what_first_saves_a_workspace():
    key = workspaces.new_key()
    at = open_train(key)
    assert not workspaces.Workspace(key).folder.exists()
    at.number_input(key="train_epochs").set_value(3).run()
    assert workspaces.Workspace(key).folder.is_dir()


@pytest.mark.parametrize(
    ("ip", "headers", "expected"),
    [
        ("10.0.0.7", {"X-Forwarded-For": "1.2.3.4"}, "10.0.0.7"),  # a browser elsewhere
        (None, {}, "this machine"),  # a browser on this machine: one count for all
        (None, {"X-Forwarded-For": "6.6.6.6, 10.0.0.9"}, "10.0.0.9"),  # the proxy's entry
        (None, {"X-Real-IP": "10.0.0.8"}, "10.0.0.8"),
    ],
)
def test_the_client_address_trusts_forwarded_headers_only_from_this_machine(
    monkeypatch, ip, headers, expected
):
    from types import SimpleNamespace

    from cnnviz.ui.common import session

    context = SimpleNamespace(ip_address=ip, headers=headers)
    monkeypatch.setattr(session, "st", SimpleNamespace(context=context))
    assert session.client_address() == expected


def test_a_training_refused_by_the_server_budget_says_so(monkeypatch):
    monkeypatch.setenv("CNNVIZ_DISK_BUDGET_GB", "0.000001")  # about 1 KB for everyone
    key = workspaces.new_key()
    at = tiny(open_train(key), epochs=1)
    at.button(key="train_start").click().run()
    assert not at.exception
    assert training.jobs(key) == []
    [error] = [e.value for e in at.error if "disk budget" in e.value]
    assert "for all workspaces" in error and "ask the teacher" in error.lower()
