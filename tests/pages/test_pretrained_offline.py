"""AppTest for the Pretrained page on a server with no weight files and no network.

"Select all" adds only the models that can run, one note says which files are missing and
where they go (the folder in full), and "Do the models agree?" still has something to show.
"""

import re

from cnnviz import pretrained
from tests.pages.conftest import app_test

PAGE = "pages/pretrained.py"
MISSING = [m for m in pretrained.available() if not m.bundled]


def _page_text(at) -> str:
    """Every text the page shows in Markdown, captions and alerts."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def _select_all(at):
    """Press every "Select all" the page offers; returns the chosen models afterwards."""
    models = at.multiselect(key="pretrained_models")
    bulk = models.proto.select_all  # Streamlit's own "Select all": 0 = never shown
    if bulk == -1 or (bulk > 0 and 2 <= len(models.options) <= bulk):
        models.set_value(list(pretrained.REGISTRY.keys())).run()
    button = [b for b in at.button if "select all" in b.label.lower()]
    if button:
        button[0].click().run()
    return at.multiselect(key="pretrained_models").value


def test_select_all_adds_only_models_whose_weights_are_here(empty_keras_home):
    at = app_test(PAGE).run()
    assert not at.exception
    assert _select_all(at) == [pretrained.BUNDLED]
    assert not at.exception
    assert not at.error  # no red box per model
    labels = at.multiselect(key="pretrained_models").options
    for entry in MISSING:
        assert f"{entry.title} · weights not downloaded ({entry.download_mb:g} MB)" in labels
    # It says that nothing more could be picked.
    assert "Only EfficientNet-Lite0 can run now" in _page_text(at)


def test_select_all_picks_a_model_once_its_weight_file_is_there(empty_keras_home):
    empty_keras_home.mkdir(parents=True)
    (empty_keras_home / pretrained.info("mobilenet_v2").weight_file).write_bytes(b"stand-in")
    at = app_test(PAGE).run()
    assert _select_all(at) == [pretrained.BUNDLED, "mobilenet_v2"]
    assert not at.exception
    labels = at.multiselect(key="pretrained_models").options
    assert "MobileNetV2 · weights cached" in labels
    assert "VGG16 · weights not downloaded (528 MB)" in labels


def test_one_note_names_the_missing_files_and_the_folder_in_full(empty_keras_home):
    at = app_test(PAGE).run()
    _select_all(at)
    text = _page_text(at)
    assert text.count(str(empty_keras_home)) == 1, text
    notes = [e.value for e in at.info if str(empty_keras_home) in e.value]
    assert len(notes) == 1
    for entry in MISSING:
        assert entry.weight_file in notes[0] and entry.weight_url in notes[0]
    assert "…/" not in text  # no folder cut short
    assert not at.error


def test_models_agree_offline_with_the_bundled_model_at_two_input_sizes(empty_keras_home):
    at = app_test(PAGE).run()
    assert not at.exception
    assert "Do the models agree?" in [h.value for h in at.header]
    text = _page_text(at)
    found = re.search(r"224×224 and 128×128.*?same first guess for \*\*(\d+) of (\d+)\*\*", text)
    assert found, text
    same, total = int(found[1]), int(found[2])
    table = at.dataframe[0].value
    assert len(table) == total >= 10  # the sample gallery (and this page's image)
    assert int(table["Same?"].sum()) == same
    assert (table["Same?"] == (table["224×224"] == table["128×128"])).all()
    # Another second size: the same images again.
    at.select_slider(key="pretrained_second_size").set_value(160).run()
    assert not at.exception
    assert "224×224 and 160×160" in _page_text(at)


def test_mobilenet_v1_is_offered_and_marked_without_its_weights(empty_keras_home):
    at = app_test(PAGE).run()
    assert not at.exception
    assert (
        "MobileNet · weights not downloaded (17 MB)"
        in at.multiselect(key="pretrained_models").options
    )
