"""The Course experiments picker on Transfer: every course experiment sets the page up, and
the plan the page shows (counted by ``transfer.describe``, no weight file) is the course's."""

import io
import urllib.error
import zipfile

import numpy as np
import pytest
from PIL import Image

from cnnviz import courses
from cnnviz.ui.train.state import ZIP_CHOICE
from tests.pages.conftest import app_test, run_until_done

PAGE = "pages/transfer.py"
EXPERIMENTS = courses.available(page="transfer")
pytestmark = pytest.mark.usefixtures("stop_jobs")


@pytest.fixture
def no_weight_files(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", no_network)


def class_zip(num_classes: int) -> bytes:
    """A tiny archive of ``num_classes`` class folders (6 photos each)."""
    out, rng = io.BytesIO(), np.random.default_rng(0)
    with zipfile.ZipFile(out, "w") as zf:
        for c in range(num_classes):
            for i in range(6):
                img = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)
                buf = io.BytesIO()
                Image.fromarray(img).save(buf, "PNG")
                zf.writestr(f"class{c}/{i}.png", buf.getvalue())
    return out.getvalue()


def _metrics(at) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def _set_up(at, key):
    at.selectbox(key="transfer_course_pick").set_value(key)
    at.button(key="transfer_course_apply").click().run()


def test_every_transfer_experiment_sets_the_page_up_with_the_course_counts(no_weight_files):
    at = app_test(PAGE, timeout=300).run()
    assert not at.exception
    for exp in EXPERIMENTS:
        _set_up(at, exp.key)
        assert not at.exception, exp.key
        t, train = exp.transfer, exp.training
        state = at.session_state
        assert state["transfer_dataset"] == ZIP_CHOICE, exp.key
        assert state["transfer_zip_size"] == exp.dataset_options["size"], exp.key
        assert any(exp.archive in w.value for w in at.warning), exp.key
        at.file_uploader(key="transfer_zip_upload").set_value(
            (f"{exp.key}.zip", class_zip(exp.num_classes), "application/zip")
        )
        at.run()
        assert not at.exception and not at.error, (exp.key, [e.value for e in at.error])
        assert state["transfer_base"] == t["base"] and state["transfer_mode"] == t["mode"]
        assert state["transfer_pooling"] == t.get("pooling", "avg"), exp.key
        assert state["transfer_units"] == t["head_units"], exp.key
        assert state["transfer_dropout"] == pytest.approx(t["head_dropout"]), exp.key
        assert state["transfer_cut_layer"] == (t.get("cut_layer") or ""), exp.key
        assert state["transfer_preprocessing"] == t.get("preprocessing", "base"), exp.key
        assert state["transfer_trainable_bn"] == t.get("trainable_batchnorm", False), exp.key
        if t["mode"] == "finetune":
            assert state["transfer_depth"] == t["fine_tune_layers"], exp.key
            assert state["transfer_head_first"] is False, exp.key
        assert state["transfer_optimizer"] == train["optimizer"], exp.key
        assert state["transfer_lr"] == pytest.approx(train["learning_rate"]), exp.key
        assert state["transfer_schedule"] == train["schedule"], exp.key
        assert state["transfer_batch"] == train["batch_size"], exp.key
        assert state["transfer_epochs"] == train["epochs"], exp.key
        if t["mode"] != "features" and "augmentation" in train:
            assert state["transfer_rotation_deg"] == train["augmentation"]["rotation_deg"]
        metrics = {k.removesuffix(" params").lower().replace("-", "_"): v
                   for k, v in _metrics(at).items()}  # fmt: skip
        for name, value in exp.printed_params().items():
            assert metrics[name] == value, (exp.key, name)


def test_a_home_link_opens_transfer_set_up(no_weight_files):
    exp = courses.get("lo_vgg16_finetune")
    at = app_test(PAGE)
    at.query_params["course"] = exp.key
    at.run()
    assert not at.exception
    assert at.session_state["transfer_base"] == "vgg16"
    assert at.session_state["transfer_mode"] == "finetune"
    assert at.session_state["transfer_units"] == 1024
    assert any("Total params 40,408,899" in c.value for c in at.caption)
    assert any(exp.archive in w.value for w in at.warning)  # what to upload


def _note_page(url_path):
    from cnnviz.ui.common.course_picker import course_note

    course_note(url_path)


def test_the_transfer_page_sets_up_its_links_instead_of_a_note():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_note_page, args=("transfer",))
    at.query_params["course"] = "tf_inception_transfer"
    assert not at.run().info  # the picker says it there


def test_after_a_run_the_course_figures_are_beside_ours(no_weight_files):
    """VGG16's weights are missing here: the run uses the bundled base, and says so."""
    exp = courses.get("vs_vgg16_features")
    at = app_test(PAGE, timeout=300).run()
    _set_up(at, exp.key)
    at.file_uploader(key="transfer_zip_upload").set_value(
        ("cats_and_dogs_filtered.zip", class_zip(2), "application/zip")
    )
    at.run()
    at.selectbox(key="transfer_base").set_value("efficientnet_lite0").run()
    at.number_input(key="transfer_epochs").set_value(1).run()
    assert not at.exception and not at.button(key="transfer_start").disabled
    at.button(key="transfer_start").click().run()
    at, job = run_until_done(at, "transfer")
    assert job.status == "finished", job.error
    assert not at.exception
    assert any("beside ours" in m.value for m in at.markdown)
    table = next(t.value for t in at.table if "The course" in t.value.columns)
    assert list(table["The course"])[:2] == ["16,812,353", "2,097,665"]
    ours = {m.label: m.value for m in at.metric}
    assert list(table["This run"])[:2] == [ours["Total params"], ours["Trainable params"]]
    assert any("1 of the course's 30 epochs" in c.value for c in at.caption)
