"""AppTest: the Transfer page at the courses' settings, on a server with no weight files.

The plan and the counts show before any download; the offline note names the file and the
folder in full; the optimizers, rates, schedules, batch sizes and augmentation are the Train
page's.
"""

import pytest

from cnnviz import pretrained
from tests.pages.conftest import app_test

PAGE = "pages/transfer.py"
pytestmark = pytest.mark.usefixtures("stop_jobs")


def _metrics(at) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def test_vgg16_course_counts_show_before_any_download(empty_keras_home):
    at = app_test(PAGE).run()
    at.selectbox(key="transfer_base").set_value("vgg16").run()
    assert not at.exception
    at.selectbox(key="transfer_input_size").set_value(150).run()
    at.radio(key="transfer_pooling").set_value("flatten").run()
    at.select_slider(key="transfer_units").set_value(256).run()
    at.slider(key="transfer_dropout").set_value(0.5).run()
    assert not at.exception and not at.error
    units = at.session_state["transfer_units"]
    assert units == 256
    metrics = _metrics(at)
    # The default set has 6 classes: 8192·256 + 256 for the Dense, 257·6 for the output.
    assert metrics["Trainable params"] == 8192 * 256 + 256 + 257 * 6
    assert metrics["Non-trainable params"] == 14_714_688  # VGG16's convolutions at 150 px
    note = next(w.value for w in at.warning if "vgg16" in w.value.lower())
    entry = pretrained.info("vgg16")
    assert entry.weight_file.replace("_", "\\_") in note or entry.weight_file in note
    assert str(empty_keras_home) in note.replace("\\", "") and "…/" not in note
    assert entry.notop_file in note.replace("\\", "")  # the base alone is enough here
    assert at.button(key="transfer_start").disabled


def test_the_train_pages_choices_of_optimisation():
    at = app_test(PAGE).run()
    assert set(at.selectbox(key="transfer_optimizer").options) >= {"Adam", "RMSprop"}
    rates = at.select_slider(key="transfer_lr").options
    assert {"1e-05", "2e-05", "0.0001", "0.0002"} <= set(rates)
    assert set(at.radio(key="transfer_schedule").options) == {"constant", "cosine decay"}
    assert {"20", "100", "128", "200"} <= set(at.selectbox(key="transfer_batch").options)
    assert "1024" in at.select_slider(key="transfer_units").options
    at.selectbox(key="transfer_optimizer").set_value("rmsprop").run()
    at.radio(key="transfer_schedule").set_value("constant").run()
    at.select_slider(key="transfer_lr").set_value(2e-5).run()
    assert not at.exception and not at.error
    assert not at.button(key="transfer_start").disabled


def test_fine_tuning_has_the_full_augmentation_in_degrees_and_trainable_batchnorm():
    at = app_test(PAGE).run()
    at.radio(key="transfer_mode").set_value("finetune").run()
    assert not at.exception
    assert at.slider(key="transfer_rotation_deg").label == "Rotation (°)"
    for key in ("transfer_width_shift", "transfer_height_shift", "transfer_shear_deg"):
        assert at.slider(key=key) is not None
    before = _metrics(at)["Trainable params"]
    at.toggle(key="transfer_trainable_bn").set_value(True).run()
    assert _metrics(at)["Trainable params"] > before
    head_first = at.checkbox(key="transfer_head_first")
    assert "the courses train the head first" not in head_first.help
    states = set(next(d.value for d in at.dataframe if "state" in d.value.columns)["state"])
    assert "frozen (BatchNorm, inference mode)" in states  # those below the unfrozen top


def test_cut_layer_and_rescale_are_offered():
    at = app_test(PAGE).run()
    cuts = at.selectbox(key="transfer_cut_layer").options
    assert len(cuts) > 10 and "stem_conv" in cuts
    at.selectbox(key="transfer_cut_layer").set_value("block6a_project_bn").run()
    at.radio(key="transfer_preprocessing").set_value("rescale").run()
    assert not at.exception and not at.error
    assert any("pixels / 255" in c.value for c in at.caption)


def test_fine_tune_a_stored_transfer_model_further_keeping_its_head():
    """The course's second step: pick the saved head-only run, unfreeze the top, go on."""
    from cnnviz import transfer, workspaces
    from cnnviz.store import ModelStore

    key = workspaces.new_key()
    first = transfer.TransferConfig(head_units=64)
    model = transfer.build_model(first, 6)
    meta = {
        "name": "heads on shapes", "owner": key, "class_names": [f"c{i}" for i in range(6)],
        "preprocessing": transfer.transfer_preprocessing(first).to_dict(),
        "transfer": first.to_dict(), "base": first.base, "mode": "features",
        "dataset": {"name": "few_shapes"},
    }  # fmt: skip
    model_id = ModelStore().save(model, meta)
    at = app_test(PAGE)
    at.query_params["ws"] = key
    at.run()
    at.radio(key="transfer_mode").set_value("finetune").run()
    start = at.selectbox(key="transfer_start_from")
    assert model_id in start.options[1:] or any("heads on shapes" in o for o in start.options)
    at.selectbox(key="transfer_start_from").set_value(model_id).run()
    assert not at.exception and not at.error
    assert at.selectbox(key="transfer_optimizer").value == "rmsprop"
    assert at.select_slider(key="transfer_lr").value == pytest.approx(1e-5)
    trainable = _metrics(at)["Trainable params"]
    head = 1280 * 64 + 64 + 65 * 6  # the stored head (64 units), not the page's 256
    assert trainable > head
    assert any("keeps its head" in c.value for c in at.caption)
    assert not at.button(key="transfer_start").disabled


def test_the_head_first_step_has_its_own_epochs():
    at = app_test(PAGE).run()
    at.radio(key="transfer_mode").set_value("finetune").run()
    assert at.checkbox(key="transfer_head_first").value
    assert at.number_input(key="transfer_head_epochs").value == 5
    at.number_input(key="transfer_head_epochs").set_value(12).run()
    assert not at.exception and not at.error
    at.checkbox(key="transfer_head_first").uncheck().run()
    assert not at.exception


def test_input_size_and_cut_layer_show_their_defaults_not_an_empty_box():
    """A selectbox holding None shows "Choose an option", as if nothing were chosen."""
    at = app_test(PAGE).run()
    assert not at.exception
    size = at.selectbox(key="transfer_input_size")
    cut = at.selectbox(key="transfer_cut_layer")
    assert size.value is not None and "the base's own" in size.format_func(size.value)
    assert cut.value is not None and "its last stage" in cut.format_func(cut.value)
