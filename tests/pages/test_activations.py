"""Activations page: layers, channel grids, statistics, zoom, kernels; errors stay on screen."""

import pytest

from cnnviz.store import MODEL_FILE, ModelStore
from tests.pages import inspect_helpers
from tests.pages.inspect_helpers import (
    image_captions,
    run_page,
    save_tiny_model,
    shapes_dataset,
    texts,
)

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below

PAGE = "pages/activations.py"


def test_stored_model_shows_first_conv_layer(stored_model):
    at = run_page(PAGE)
    assert not at.exception
    assert not at.error
    assert at.selectbox(key="activations_choice").value == f"stored:{stored_model}"
    assert "Channel maps of conv1" in texts(at.subheader)
    (metric,) = at.metric
    assert metric.value.endswith("of 8")  # conv1 has 8 channels
    assert any("conv1: 8 kernels of 3×3 pixels" in t for t in texts(at.caption))
    # The model's own test set is offered, with the true class of the picked image.
    assert at.radio(key="act_image_source").value == "Model's test set"
    ds = shapes_dataset()
    first_class = ds.class_names[int(ds.y_test[0])]
    assert any(f"true class: {first_class}" in c for c in image_captions(at))
    assert len(at.get("plotly_chart")) == 3  # grid, zoom, mean activations


@pytest.mark.parametrize(
    ("layer_index", "heading", "channels"),
    [(1, "Channel maps of pool1", 8), (2, "Channel maps of conv2", 12)],
)
def test_changing_layer_and_scale(stored_model, layer_index, heading, channels):
    at = run_page(PAGE)
    at.selectbox(key="act_layer").set_value(layer_index).run()
    at.radio(key="act_scale").set_value("shared").run()
    assert not at.exception
    assert heading in texts(at.subheader)
    assert at.metric[0].value.endswith(f"of {channels}")
    assert at.number_input(key=f"act_zoom_{heading.split()[-1]}").max == channels - 1


def test_dense_layer_has_no_maps_but_has_statistics(stored_model):
    at = run_page(PAGE)
    labels = at.selectbox(key="act_layer").options
    dense = next(i for i, label in enumerate(labels) if label.startswith("predictions"))
    at.selectbox(key="act_layer").set_value(dense).run()
    assert not at.exception
    assert any("dense layer" in t for t in texts(at.info))
    assert at.metric[0].value.endswith("of 6")


def test_two_images_side_by_side(stored_model):
    at = run_page(PAGE)
    at.toggle(key="act_compare").set_value(True).run()
    assert not at.exception
    assert len(at.metric) == 2
    # Two grids, two zoomed maps, two bar charts; the second image is another test image.
    assert len(at.get("plotly_chart")) == 6
    assert at.number_input(key="act_image2_index").value == 2


def test_own_image_through_a_small_model(stored_model):
    at = run_page(PAGE)
    at.radio(key="act_image_source").set_value("Sample, upload or camera").run()
    at.selectbox(key="act_image_picker_sample").set_value("coffee").run()
    assert not at.exception
    assert "Channel maps of conv1" in texts(at.subheader)


def test_test_set_filtered_by_class(stored_model):
    at = run_page(PAGE)
    at.selectbox(key="act_image_class").set_value("circle").run()
    assert not at.exception
    assert any("true class: circle" in c for c in image_captions(at))
    assert at.metric[0].value.endswith("of 8")


def test_unreadable_model_file_is_an_error_not_an_exception():
    model_id = save_tiny_model(name="broken")
    (ModelStore().root / model_id / MODEL_FILE).write_bytes(b"this is not a keras file")
    at = run_page(PAGE)
    assert not at.exception
    assert at.error, "a broken model must be reported on the page"
    assert "Train a model on the Train page" in " ".join(texts(at.caption))


def test_other_sessions_models_are_not_listed(stored_model):
    at = run_page(PAGE, owner="someone-else")
    assert not at.exception
    options = at.selectbox(key="activations_choice").options
    assert not any("tiny cnn" in o for o in options)


@pytest.mark.slow
def test_default_is_the_bundled_model_when_nothing_is_trained():
    at = run_page(PAGE, owner="fresh-session")
    assert not at.exception
    assert not at.error
    assert at.selectbox(key="activations_choice").value == "pretrained:efficientnet_lite0"
    assert "Channel maps of stem_conv" in texts(at.subheader)


def test_test_image_one_is_captioned_one_and_the_layer_table_shows_every_row(
    stored_model, monkeypatch
):
    # "Test image 1" was captioned "test image #0", and the table showed 6 of 9 layers with
    # no sign that it scrolls: its height now fits every row.
    import streamlit

    heights = []
    real = streamlit.dataframe

    def dataframe(data=None, *args, **kwargs):
        heights.append((len(data), kwargs.get("height", "auto")))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", dataframe)
    at = run_page(PAGE)
    assert not at.exception
    assert at.number_input(key="act_image_index").value == 1
    # As the browser shows them (a Markdown escape such as \\# shows as #).
    captions = [c.replace("\\", "") for c in image_captions(at)]
    assert any(c.startswith("test image #1 ·") for c in captions), captions
    assert not any("#0" in c for c in captions), captions
    ((rows, height),) = heights
    assert height == "content" or (isinstance(height, int) and height >= 35 * (rows + 1) + 2)
