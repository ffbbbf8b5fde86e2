"""The shared image picker, driven in a tiny script of its own."""

import io

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from cnnviz.ui.common.image_picker import image_picker

    first = image_picker("a", default_sample="coins", location="main", max_side=100)
    second = image_picker("b", default_sample="no such sample", location="sidebar")
    for name, image in (("a", first), ("b", second)):
        st.text(f"{name}: none" if image is None else f"{name}: {image.shape} {image.dtype}")


def _jpeg(width, height) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 200, np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def _texts(at):
    return [t.value for t in at.text]


def _run():
    return AppTest.from_function(_script, default_timeout=60).run()


def test_two_pickers_with_their_own_keys_and_sizes():
    at = _run()
    assert not at.exception
    assert at.selectbox(key="a_sample").value == "coins"
    assert at.selectbox(key="b_sample").value == "cat"  # unknown default: first sample
    assert at.sidebar.selectbox(key="b_sample")
    # coins is 303×384: shrunk so the longer side is 100; cat (451 wide) fits in 1024.
    assert _texts(at) == ["a: (79, 100, 3) uint8", "b: (300, 451, 3) uint8"]


def test_camera_snapshot_is_decoded_and_only_shown_when_chosen():
    at = _run()
    assert not at.camera_input
    at.radio(key="a_source").set_value("Camera").run()
    assert len(at.camera_input) == 1 and not at.exception
    assert _texts(at)[0] == "a: none"
    at.camera_input(key="a_camera").set_value(("shot.jpg", _jpeg(640, 480), "image/jpeg")).run()
    assert not at.exception and not at.error
    assert _texts(at)[0] == "a: (75, 100, 3) uint8"


def test_broken_camera_snapshot_shows_an_error():
    at = _run()
    at.radio(key="a_source").set_value("Camera").run()
    at.camera_input(key="a_camera").set_value(("shot.jpg", _jpeg(64, 48)[:100], "image/jpeg"))
    at.run()
    assert not at.exception
    assert "truncated" in at.error[0].value
    assert _texts(at)[0] == "a: none"


def test_switching_back_to_samples_after_an_upload():
    at = _run()
    at.radio(key="b_source").set_value("Upload").run()
    at.file_uploader(key="b_upload").upload("p.jpg", _jpeg(30, 20), "image/jpeg").run()
    assert _texts(at)[1] == "b: (20, 30, 3) uint8"
    at.radio(key="b_source").set_value("Sample").run()
    assert _texts(at)[1] == "b: (300, 451, 3) uint8"
