"""User text is shown as text: Markdown and HTML escaped, server paths hidden."""

import keras
import pytest

from cnnviz import workspaces
from cnnviz.store import ModelStore
from cnnviz.ui.common.text import plain, plain_html
from tests.pages.conftest import app_test

HOSTILE = "**bold** [x](javascript:alert(1)) <b>b</b> :red[r] $x$ _i_ `c` # h"


@pytest.mark.parametrize(
    "text",
    [HOSTILE, "cats", "a.b-c!", "50% off", "1. list", "- item", "| a | b |", ":smile:", "\\", "_x"],
)
def test_plain_escapes_every_markdown_character(text):
    escaped = plain(text)
    # Removing the escapes gives the text back: nothing was lost or added.
    assert escaped.replace("\\", "") == text.replace("\\", "")
    for ch in "*[]<>`#$:|":
        assert f"\\{ch}" in escaped or ch not in text
    assert "_i_" not in escaped


def test_plain_keeps_harmless_text_and_stops_lists():
    assert plain("stem_conv 3.5 (ok)!") == "stem_conv 3.5 (ok)!"
    assert plain("1. first") == "1\\. first"
    assert plain("- dash") == "\\- dash"


def test_plain_hides_server_paths_and_newlines():
    message = "Could not read /srv/cnnviz/home/workspaces/abc/datasets/x/archive.zip\nsecond"
    shown = plain(message)
    assert "srv" not in shown and "workspaces" not in shown
    assert "archive" in shown and "\n" not in shown


def test_plain_html_escapes_tags_for_plotly():
    assert plain_html('<a href="javascript:x">y</a> & <b>') == (
        "&lt;a href=&quot;javascript:x&quot;&gt;y&lt;/a&gt; &amp; &lt;b&gt;"
    )


def test_a_hostile_model_name_is_escaped_on_the_train_page():
    key = workspaces.new_key()
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))
    ModelStore().save(model, {"name": HOSTILE, "owner": key, "class_names": ["**a**", "<b>"]})
    at = app_test("pages/train.py")
    at.query_params["ws"] = key
    at.run()
    assert not at.exception
    [title] = [e.label for e in at.expander if "bold" in e.label]
    assert title.startswith(plain(" ".join(HOSTILE.split())))
    captions = " ".join(c.value for c in at.caption)
    assert "\\*\\*a\\*\\*" in captions and "\\<b\\>" in captions


def test_duration_reads_as_a_student_would():
    from cnnviz.ui.common.text import duration

    assert duration(None) == "…" and duration(float("nan")) == "…"
    assert duration(42.4) == "42 s"
    assert duration(187) == "3 min 07 s"


def test_plain_shows_download_addresses_and_the_keras_folder_in_full(tmp_path, monkeypatch):
    """An offline message must say which file goes in which folder: nothing cut to "…/"."""
    from cnnviz import pretrained

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    message = pretrained.offline_message("vgg16", "no network")
    shown = plain(message).replace("\\", "")
    assert "…/" not in shown
    assert str(pretrained.keras_models_dir()) in shown
    assert pretrained.info("vgg16").weight_url in shown
    # On a Ray lab computer the folder is that computer's: the message names it.
    import socket

    assert f"computer named {socket.gethostname()}" in shown
    assert "workspaces" not in plain("Could not read /srv/x/workspaces/abc/data.zip")
