import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from cnnviz import filters
from cnnviz.images import fit_within, samples, to_gray
from tests.pages.conftest import app_test

PAGE = "pages/filters.py"


def _png(width=60, height=40) -> bytes:
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, width // 2 :] = 255
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def _chart(at, key: str) -> dict:
    """The plotly spec of the chart with this key."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(key) or key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}; ids: {[c.proto.id for c in at.get('plotly_chart')]}")


def _z(trace: dict) -> np.ndarray:
    """A trace's z values; plotly sends numpy arrays as base64 ("bdata") with dtype and shape."""
    z = trace["z"]
    if isinstance(z, dict):
        shape = tuple(int(v) for v in str(z["shape"]).split(","))
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.asarray(z)


def _open(tab: str):
    at = app_test(PAGE)
    at.session_state["filters_tab"] = tab
    return at.run()


def _image_captions(at) -> list[str]:
    """The picker's image captions as the browser shows them (Markdown escapes removed).

    The picker is the page's first image (it sits above the tabs); none in the sidebar.
    """
    assert not at.sidebar.get("image")
    images = at.main.get("image")[:1]
    return [re.sub(r"\\(.)", r"\1", img.caption) for node in images for img in node.proto.imgs]


def _ok(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_page_loads_with_the_default_sample():
    at = app_test(PAGE).run()
    _ok(at)
    assert at.title[0].value == "Filters"
    assert [t.label for t in at.tabs] == [
        "Gabor", "Sobel", "Filter bank", "Custom kernel", "Step through", "Arithmetic"
    ]  # fmt: skip
    assert at.radio(key="filters_source").value == "Sample"
    assert at.selectbox(key="filters_sample").value == "cat"
    assert _image_captions(at) == ["sample: cat · 451×300"]
    # Only the open tab (Gabor) runs: kernel and response.
    assert len(at.get("plotly_chart")) == 2


def test_gabor_sliders_change_kernel_and_response():
    at = app_test(PAGE).run()
    kernel, response = _chart(at, "gabor_kernel_fig"), _chart(at, "gabor_response_fig")
    at.slider(key="gabor_theta").set_value(90).run()
    _ok(at)
    assert _chart(at, "gabor_kernel_fig") != kernel
    assert _chart(at, "gabor_response_fig") != response
    at.slider(key="gabor_ksize").set_value(9).run()
    _ok(at)
    assert _chart(at, "gabor_kernel_fig")["layout"]["title"]["text"] == "Kernel 9×9"
    shown = _z(_chart(at, "gabor_kernel_fig")["data"][0])
    raw = filters.gabor_kernel(9, 4.0, np.pi / 2, 10.0, 0.5, 0.0)
    np.testing.assert_allclose(shown, raw - raw.mean(), atol=1e-6)  # zero-mean by default
    at.toggle(key="gabor_zero_mean").set_value(False).run()
    np.testing.assert_allclose(_z(_chart(at, "gabor_kernel_fig")["data"][0]), raw, atol=1e-6)


def test_sobel_tab_and_kernel_size():
    at = _open("Sobel")
    _ok(at)
    before = _chart(at, "sobel_gx_fig")
    assert "3×3" in at.caption[-1].value or any("3×3" in c.value for c in at.caption)
    at.select_slider(key="sobel_ksize").set_value(7).run()
    _ok(at)
    assert _chart(at, "sobel_gx_fig") != before
    assert any("Sobel 7×7" in c.value for c in at.caption)


def test_filter_bank_grid_follows_the_controls():
    at = _open("Filter bank")
    _ok(at)
    assert len(_chart(at, "bank_kernels_fig")["data"]) == 4 * 3
    at.slider(key="bank_orientations").set_value(6).run()
    at.multiselect(key="bank_wavelengths").set_value([4.0, 8.0]).run()
    _ok(at)
    assert len(_chart(at, "bank_kernels_fig")["data"]) == 6 * 2
    # The responses travel as one mosaic picture with a caption per response.
    assert len(_chart(at, "bank_responses_fig")["layout"]["annotations"]) == 6 * 2
    at.multiselect(key="bank_wavelengths").set_value([]).run()
    assert not at.exception
    assert "at least one wavelength" in at.warning[0].value


def test_custom_kernel_presets_and_sizes():
    at = _open("Custom kernel")
    _ok(at)
    assert at.selectbox(key="custom_preset").value == "sharpen"
    at.selectbox(key="custom_preset").set_value("laplacian").run()
    _ok(at)
    assert any("Sum of weights = 0" in c.value for c in at.caption)
    at.radio(key="custom_size").set_value(5).run()
    _ok(at)
    kernel = _z(_chart(at, "custom_kernel_fig")["data"][0])
    np.testing.assert_allclose(kernel, filters.kernel_preset("laplacian", 5))


def _edit_kernel(at, key: str, edits: dict) -> None:
    """Edit cells of a data_editor via its documented session-state shape (AppTest has no
    cell-editing API): {"edited_rows": {row: {column: value}}, ...}."""
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()


def test_editing_kernel_cells_changes_the_output_and_blank_cells_are_reported():
    at = _open("Custom kernel")
    before = _chart(at, "custom_response_fig")
    _edit_kernel(at, "custom_editor_sharpen_3", {0: {"0": 1.0}})
    _ok(at)
    assert any("Sum of weights = 2" in c.value for c in at.caption)
    assert _chart(at, "custom_response_fig") != before
    kernel = _z(_chart(at, "custom_kernel_fig")["data"][0])
    assert kernel[0, 0] == 1.0 and kernel[1, 1] == 5.0
    _edit_kernel(at, "custom_editor_sharpen_3", {0: {"0": None}})
    assert not at.exception
    assert "no blanks" in at.error[0].value


def test_step_through_can_use_my_custom_kernel():
    at = _open("Custom kernel")
    _edit_kernel(at, "custom_editor_sharpen_3", {2: {"2": 3.0}})
    at.session_state["filters_tab"] = "Step through"
    at.run()
    at.selectbox(key="step_kernel").set_value("my custom kernel").run()
    _ok(at)
    gray = to_gray(fit_within(fit_within(samples()["cat"], 1024), 512))
    kernel = filters.kernel_preset("sharpen", 3)
    kernel[2, 2] = 3.0
    h, w = gray.shape
    expected = filters.filter2d(gray, kernel, border="zero")[h // 2, w // 2]
    assert at.metric[0].value == f"{expected:.2f}"


def test_step_through_sum_matches_the_filtered_image():
    at = _open("Step through")
    _ok(at)
    gray = to_gray(fit_within(fit_within(samples()["cat"], 1024), 512))
    h, w = gray.shape
    assert at.slider(key="step_row").value == h // 2
    at.button(key="step_right").click().run()
    at.button(key="step_right").click().run()
    _ok(at)
    row, col = h // 2, w // 2 + 2
    assert at.slider(key="step_col").value == col
    expected = filters.filter2d(gray, filters.kernel_preset("sobel x", 3), border="zero")
    assert at.metric[0].value == f"{expected[row, col]:.2f}"
    at.button(key="step_corner").click().run()
    assert (at.slider(key="step_row").value, at.slider(key="step_col").value) == (0, 0)
    assert any("outside the image" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("n", "f", "p", "s", "expect"),
    [
        (32, 5, 0, 1, ("success", "Output: 28 × 28")),
        (7, 3, 1, 2, ("success", "Output: 4 × 4")),
        (32, 5, 0, 2, ("warning", "Output: 14 × 14. 27/2 = 13.5 is not a whole number")),
        # The textbook ResNet stem: rounding down only skips padding, so no alarm.
        (224, 7, 3, 2, ("info", "Output: 112 × 112. 223/2 = 111.5 is not a whole number")),
        (5, 7, 0, 1, ("error", "larger than the padded input")),
    ],
)
def test_arithmetic_explains_strides_that_do_not_fit(n, f, p, s, expect):
    at = _open("Arithmetic")
    assert not at.exception
    for key, value in (("arith_n", n), ("arith_f", f), ("arith_p", p), ("arith_s", s)):
        at.number_input(key=key).set_value(value)
    at.run()
    assert not at.exception
    kind, words = expect
    assert any(words in e.value for e in getattr(at, kind)), [e.value for e in getattr(at, kind)]
    if (n, f, p, s) == (224, 7, 3, 2):
        assert not at.warning
        assert "every pixel of the input is used" in at.info[0].value


def test_arithmetic_pooling_step():
    at = _open("Arithmetic")
    at.number_input(key="arith_s").set_value(1).run()  # 7, 3, 0, 1 → 5
    at.checkbox(key="arith_pool").check().run()
    at.number_input(key="arith_pool_size").set_value(3)
    at.number_input(key="arith_pool_stride").set_value(1)
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Output: 5 × 5", "Output: 3 × 3"]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("holiday.png", b"this is not a picture", "text file"),
        ("empty.png", b"", "empty"),
        ("cut.png", _png()[:60], "truncated"),
    ],
)
def test_bad_upload_shows_an_error_not_a_traceback(name, data, words):
    at = app_test(PAGE).run()
    at.radio(key="filters_source").set_value("Upload").run()
    assert not at.exception
    assert "Choose an image" in at.info[0].value  # nothing uploaded yet
    at.file_uploader(key="filters_upload").upload(name, data, "image/png").run()
    assert not at.exception
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("plotly_chart")


def test_good_upload_is_filtered():
    at = app_test(PAGE).run()
    at.radio(key="filters_source").set_value("Upload").run()
    at.file_uploader(key="filters_upload").upload("halves.png", _png(), "image/png").run()
    _ok(at)
    assert _image_captions(at) == ["halves.png · 60×40"]
    assert len(at.get("plotly_chart")) == 2


def test_gabor_response_over_the_photo():
    at = app_test(PAGE).run()
    alone = _chart(at, "gabor_response_fig")
    assert alone["data"][0]["type"] == "image"  # a JPEG picture, not a 200 KB heatmap
    assert alone["data"][0]["source"].startswith("data:image/jpeg;base64,")
    assert len(json.dumps(alone)) < 120_000
    at.radio(key="gabor_view").set_value("Over the photo").run()
    _ok(at)
    over = _chart(at, "gabor_response_fig")
    assert over["layout"]["title"]["text"] == "Response over the photo"
    assert over["data"][0]["source"] != alone["data"][0]["source"]


def test_filter_bank_responses_over_the_photo():
    at = _open("Filter bank")
    before = _chart(at, "bank_responses_fig")
    assert len(before["layout"]["annotations"]) == 4 * 3  # one caption per response
    at.radio(key="bank_view").set_value("Over the photo").run()
    _ok(at)
    assert _chart(at, "bank_responses_fig")["data"][0]["source"] != before["data"][0]["source"]


def test_dataset_images_can_be_filtered():
    at = app_test(PAGE).run()
    assert at.radio(key="filters_source").options == ["Sample", "Upload", "Camera", "Dataset"]
    at.radio(key="filters_source").set_value("Dataset").run()
    _ok(at)
    assert at.selectbox(key="filters_dataset").value == "digits"
    offered = set(at.selectbox(key="filters_dataset").options)
    assert {"Digits (8×8)", "Synthetic shapes", "Faces vs non-faces"} <= offered
    at.selectbox(key="filters_dataset_class").set_value("7").run()
    at.number_input(key="filters_dataset_index").set_value(3).run()
    _ok(at)
    assert _image_captions(at) == ["Digits (8×8): 7 #3 (28×28, enlarged ×4) · 112×112"]
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("name", ["haar edge x", "haar line y", "haar four"])
def test_haar_presets_in_the_custom_kernel(name):
    at = _open("Custom kernel")
    at.selectbox(key="custom_preset").set_value(name).run()
    _ok(at)
    assert any("Sum of weights = 0" in c.value for c in at.caption)
    shown = _z(_chart(at, "custom_kernel_fig")["data"][0])
    np.testing.assert_allclose(shown, filters.kernel_preset(name, 3), atol=1e-6)


def test_max_pooling_step_through():
    at = _open("Step through")
    at.radio(key="step_operation").set_value("Max pooling").run()
    _ok(at)
    gray = to_gray(fit_within(fit_within(samples()["cat"], 1024), 512))
    pooled = filters.max_pool(gray, 2, 2)
    h, w = pooled.shape
    assert (at.slider(key="pool_row").value, at.slider(key="pool_col").value) == (h // 2, w // 2)
    assert at.metric[0].value == f"{pooled[h // 2, w // 2]:.0f}"
    at.button(key="pool_right").click().run()
    at.radio(key="pool_size").set_value(3).run()
    _ok(at)
    pooled = filters.max_pool(gray, 3, 2)
    row, col = at.slider(key="pool_row").value, at.slider(key="pool_col").value
    assert col == w // 2 + 1
    assert at.metric[0].value == f"{pooled[row, col]:.0f}"
    step = filters.pooling_step(gray, row, col, 3, 2)
    patch = _z(_chart(at, "pool_patch_fig")["data"][0])
    np.testing.assert_array_equal(patch, step.patch)


# ---------------------------------------------------------------------------------------------
# The light figures and dataset images behind the page


def test_colorize_matches_the_heatmap_colour_scale():
    import plotly.colors

    from cnnviz.ui.filters import response_figures as light

    values = np.array([[-10.0, 0.0, 10.0, 99.0]])
    rgb = light.colorize(values, (-10.0, 10.0))
    ends = [
        plotly.colors.unlabel_rgb(c) for c in plotly.colors.sample_colorscale("RdBu_r", [0, 0.5, 1])
    ]
    np.testing.assert_allclose(rgb[0, :3], np.rint(ends), atol=3)  # 256 levels
    np.testing.assert_array_equal(rgb[0, 3], rgb[0, 2])  # beyond the range: clipped
    gray = light.colorize(np.array([[0.0, 255.0]]), (0.0, 255.0), diverging=False)
    np.testing.assert_array_equal(gray, [[[0, 0, 0], [255, 255, 255]]])


def test_overlay_shows_the_photo_where_nothing_fires_and_colour_where_it_does():
    from cnnviz.ui.filters import response_figures as light

    photo = np.full((2, 3), 0.0)  # a black photo
    response = np.array([[0.0, 50.0, -50.0], [0.0, 0.0, 0.0]])
    out = light.overlay(photo, response, (-50.0, 50.0), dim=0.5)
    np.testing.assert_array_equal(out[1, 0], [128, 128, 128])  # no response: photo, paled
    lut = light._lut(True)
    np.testing.assert_array_equal(out[0, 1], lut[-1])  # full strength: the scale's deep red
    np.testing.assert_array_equal(out[0, 2], lut[0])  # and deep blue
    assert lut[-1][0] > lut[-1][2] and lut[0][2] > lut[0][0]
    hot = light.overlay(photo, np.abs(response), (0.0, 50.0), diverging=False)
    np.testing.assert_array_equal(hot[0, 1], light.HOT.astype(np.uint8))


def test_mosaic_places_tiles_row_by_row():
    from cnnviz.ui.filters import response_figures as light

    tiles = [np.full((4, 5, 3), i * 40, np.uint8) for i in range(5)]
    picture, centres = light.mosaic(tiles, 3, gap=2)
    assert picture.shape == (2 * 4 + 2, 3 * 5 + 2 * 2, 3)
    assert centres[4] == (5 + 2 + 2, 6)
    assert picture[6, 7, 0] == 160 and picture[0, 5, 0] == 255  # tile 4; a white gap


@pytest.mark.parametrize(("side", "factor"), [(8, 14), (28, 4), (32, 4), (200, 1)])
def test_dataset_images_are_enlarged_by_a_whole_factor(side, factor):
    from cnnviz.ui.common.dataset_images import MIN_SIDE, enlarge

    image = np.zeros((side, side, 3), np.uint8)
    out, k = enlarge(image)
    assert k == factor and out.shape == (side * k, side * k, 3)
    assert min(out.shape[:2]) >= min(MIN_SIDE, side * k)


# ---------------------------------------------------------------------------------------------
# Settings kept between tabs and pages


def _set_gabor(at):
    at.slider(key="gabor_theta").set_value(45).run()
    at.slider(key="gabor_ksize").set_value(9).run()
    at.radio(key="gabor_view").set_value("Over the photo").run()
    _ok(at)


def _assert_gabor_kept(at):
    _ok(at)
    assert at.slider(key="gabor_theta").value == 45
    assert at.slider(key="gabor_ksize").value == 9
    assert at.radio(key="gabor_view").value == "Over the photo"
    assert _chart(at, "gabor_kernel_fig")["layout"]["title"]["text"] == "Kernel 9×9"
    assert any("θ = 45°" in c.value for c in at.caption)


def test_gabor_settings_survive_a_visit_to_the_sobel_tab():
    at = app_test(PAGE).run()
    _set_gabor(at)
    at.session_state["filters_tab"] = "Sobel"
    at.run()
    _ok(at)
    at.select_slider(key="sobel_ksize").set_value(5).run()
    at.session_state["filters_tab"] = "Gabor"
    at.run()
    _assert_gabor_kept(at)
    at.session_state["filters_tab"] = "Sobel"
    at.run()
    assert at.select_slider(key="sobel_ksize").value == 5


def test_filters_settings_survive_a_visit_to_another_page():
    at = app_test("app.py").run()
    at.switch_page("pages/filters.py").run()
    _set_gabor(at)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.title[0].value != "Filters"
    at.switch_page("pages/filters.py").run()
    _assert_gabor_kept(at)


def test_arithmetic_and_other_tabs_keep_their_settings_after_another_page():
    at = app_test("app.py").run()
    at.switch_page("pages/filters.py").run()
    at.session_state["filters_tab"] = "Arithmetic"
    at.run()
    at.number_input(key="arith_n").set_value(32).run()
    at.checkbox(key="arith_pool").check().run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/filters.py").run()
    _ok(at)
    assert at.session_state["filters_tab"] == "Arithmetic"  # the tab the student left
    assert at.number_input(key="arith_n").value == 32
    assert at.checkbox(key="arith_pool").value
    at.session_state["filters_tab"] = "Filter bank"
    at.run()
    at.slider(key="bank_orientations").set_value(6).run()
    at.session_state["filters_tab"] = "Arithmetic"
    at.run()
    assert at.number_input(key="arith_n").value == 32
    at.session_state["filters_tab"] = "Filter bank"
    at.run()
    _ok(at)
    assert at.slider(key="bank_orientations").value == 6
    assert len(_chart(at, "bank_kernels_fig")["data"]) == 6 * 3


def test_every_setting_on_the_page_is_kept():
    """A new widget must be added to the kept settings (or this test names it)."""
    from cnnviz.ui.filters import KEPT_KEYS

    at = app_test(PAGE).run()
    seen = set()
    for tab, extra in [("Gabor", None), ("Gabor", "frequency"), ("Sobel", None),
                       ("Filter bank", None), ("Custom kernel", None), ("Step through", None),
                       ("Step through", "Max pooling"), ("Arithmetic", None)]:  # fmt: skip
        at.session_state["filters_tab"] = tab
        at.run()
        if extra == "frequency":
            at.radio(key="gabor_by").set_value(extra).run()
        elif extra:
            at.radio(key="step_operation").set_value(extra).run()
        if tab == "Arithmetic":
            at.checkbox(key="arith_pool").check().run()
        _ok(at)
        for kind in ("slider", "select_slider", "radio", "selectbox", "multiselect", "toggle",
                     "checkbox", "number_input"):  # fmt: skip
            seen |= {w.key for w in at.main.get(kind) if w.key}
    # The image picker (keys "filters_…", above the tabs) is the shared picker's, which keeps
    # what Streamlit keeps; this test is about the tabs' settings.
    # "Show the code here" (…_code_show) shows the page's code; it is no setting of it.
    seen = {k for k in seen if not k.startswith("filters_") and not k.endswith("_code_show")}
    assert seen - set(KEPT_KEYS) == set()
    assert set(KEPT_KEYS) - seen == {"filters_tab"}  # the tabs are no widget of this list


def test_a_slider_moved_in_its_fragment_is_kept_on_a_real_server():
    """What a browser does: each slider move reruns only its section (a fragment), so the
    page's last line never runs; θ must still come back after another page. AppTest always
    reruns the whole page, so this talks to ``streamlit run`` over its websocket, with the
    classroom benchmark's student."""
    import asyncio
    import threading

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from bench import classroom_filters as server
    from tests.pages.conftest import ROOT

    sliders: dict[str, list[float]] = {}

    def note_sliders(raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "delta":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "slider":
                sliders[element.slider.id.rsplit("-", 1)[-1]] = list(element.slider.value)

    async def visit(url: str) -> None:
        student = server.Student(url)
        await student.connect()
        receive = student.ws.recv

        async def receive_and_note(*args, **kwargs):
            raw = await receive(*args, **kwargs)
            note_sliders(raw)
            return raw

        student.ws.recv = receive_and_note  # the student's reader reads through this

        async def goto(page: str) -> None:
            back = BackMsg()
            back.rerun_script.page_name = page
            student.finished.clear()
            await student.ws.send(back.SerializeToString())
            await asyncio.wait_for(student.finished.wait(), server.TIMEOUT_S)

        try:
            await student.rerun()
            assert await student.wait_redraw()
            assert await student.move("gabor_theta", 45.0) < float("inf")  # a fragment rerun
            await goto("train")
            sliders.clear()
            await goto("filters")
        finally:
            await student.close()

    # A thread of its own: Playwright's sync API (the e2e tests in the same pytest run)
    # leaves an event loop running in the main thread, where asyncio.run refuses to start.
    errors: list[BaseException] = []

    def run_visit(url: str) -> None:
        try:
            asyncio.run(visit(url))
        except BaseException as exc:  # re-raised in the test's thread below
            errors.append(exc)

    with server.serve(ROOT, {}) as (url, _pid):
        visitor = threading.Thread(target=run_visit, args=(url,))
        visitor.start()
        visitor.join()
    if errors:
        raise errors[0]
    assert sliders["gabor_theta"] == [45.0]


def test_gabor_can_be_set_by_frequency():
    # The lecture gives frequencies (cycles per pixel); λ = 1 / f draws the same kernel.
    at = app_test(PAGE).run()
    at.toggle(key="gabor_zero_mean").set_value(False).run()
    at.radio(key="gabor_by").set_value("frequency").run()
    _ok(at)
    assert at.slider(key="gabor_frequency").value == pytest.approx(0.1)  # from λ = 10
    at.slider(key="gabor_frequency").set_value(0.25).run()
    _ok(at)
    raw = filters.gabor_kernel(21, 4.0, 0.0, 4.0, 0.5, 0.0)
    np.testing.assert_allclose(_z(_chart(at, "gabor_kernel_fig")["data"][0]), raw, atol=1e-6)
    assert any("f = 0.25 cycles per pixel" in c.value and "λ = 4 px" in c.value for c in at.caption)
    at.radio(key="gabor_by").set_value("wavelength").run()  # back: λ follows
    _ok(at)
    assert at.slider(key="gabor_lambda").value == pytest.approx(4.0)
