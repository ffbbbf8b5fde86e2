import pytest

from cnnviz.store import ModelStore
from tests.pages.conftest import app_test, run_until_done

pytestmark = pytest.mark.usefixtures("stop_jobs")


def test_page_loads_on_few_shapes_with_the_bundled_base():
    at = app_test("pages/transfer.py").run()
    assert not at.exception
    assert at.title[0].value == "Transfer learning"
    # The default set is one where scratch, features and fine-tuning differ (bench/
    # transfer_ways.py), with enough test images that one error is under 2 %.
    assert at.selectbox(key="transfer_dataset").value == "few_shapes"
    assert any("180 test images" in c.value for c in at.caption), [c.value for c in at.caption]
    assert at.selectbox(key="transfer_base").value == "efficientnet_lite0"
    assert at.radio(key="transfer_mode").value == "features"
    metrics = {m.label: m.value for m in at.metric}  # 6 classes: a 6-unit softmax
    assert int(metrics["Trainable params"].replace(",", "")) == 1280 * 256 + 256 + 257 * 6
    assert int(metrics["Non-trainable params"].replace(",", "")) > 3_000_000
    assert not at.button(key="transfer_start").disabled
    assert not at.error


def test_finetune_shows_depth_and_trainable_layers():
    at = app_test("pages/transfer.py").run()
    at.radio(key="transfer_mode").set_value("finetune").run()
    assert not at.exception
    assert at.slider(key="transfer_depth").value == 20
    assert at.select_slider(key="transfer_lr").value == pytest.approx(1e-4)
    before = int({m.label: m.value for m in at.metric}["Trainable params"].replace(",", ""))
    at.slider(key="transfer_depth").set_value(40).run()
    after = int({m.label: m.value for m in at.metric}["Trainable params"].replace(",", ""))
    assert after > before
    layers = next(d.value for d in at.dataframe if "state" in d.value.columns)
    states = set(layers["state"])
    assert {"trainable", "frozen", "frozen (BatchNorm, inference mode)"} <= states


def test_bad_setting_shows_an_error_not_an_exception():
    at = app_test("pages/transfer.py").run()
    at.radio(key="transfer_mode").set_value("finetune").run()
    at.slider(key="transfer_depth").set_value(1).run()
    at.select_slider(key="transfer_units").set_value(0).run()
    assert not at.exception


@pytest.mark.slow
def test_train_features_on_the_default_set_then_compare():
    at = app_test("pages/transfer.py", timeout=300).run()
    at.number_input(key="transfer_epochs").set_value(3).run()
    at.button(key="transfer_start").click().run()
    assert not at.exception
    at, job = run_until_done(at, "transfer")
    assert job.status == "finished", job.error
    assert not at.exception
    assert any(m.label == "Test accuracy" for m in at.metric)
    table = next(d.value for d in at.dataframe if "test accuracy" in d.value.columns)
    assert list(table["mode"]) == ["features"]
    assert table["base"][0] == "EfficientNet-Lite0"
    meta = ModelStore().info(job.result.model_id)
    assert meta["mode"] == "features" and meta["page"] == "pages/transfer.py"


def test_settings_are_kept_for_the_next_visit():
    at = app_test("pages/transfer.py").run()
    at.radio(key="transfer_mode").set_value("frozen").run()
    at.number_input(key="transfer_epochs").set_value(7).run()
    saved = at.session_state["transfer_saved_settings"]
    assert saved["transfer_mode"] == "frozen" and saved["transfer_epochs"] == 7


def _course_zip() -> bytes:
    """cats_and_dogs_filtered's layout: train/ and validation/, no test/; a stray script."""
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for split, n in (("train", 10), ("validation", 4)):
            for cls, level in (("cats", 60), ("dogs", 190)):
                for i in range(n):
                    img = np.clip(rng.normal(level, 20, (40, 40, 3)), 0, 255).astype(np.uint8)
                    buf = io.BytesIO()
                    Image.fromarray(img).save(buf, "JPEG")
                    zf.writestr(f"cats_and_dogs_filtered/{split}/{cls}/{i}.jpg", buf.getvalue())
        zf.writestr("cats_and_dogs_filtered/vectorize.py", "print('hi')")
    return out.getvalue()


@pytest.mark.slow
def test_course_zip_three_modes_then_compare():
    at = app_test("pages/transfer.py", timeout=300).run()
    at.selectbox(key="transfer_dataset").set_value("__zip__").run()
    at.file_uploader(key="transfer_zip_upload").set_value(
        ("cats_and_dogs_filtered.zip", _course_zip(), "application/zip")
    )
    at.run()
    assert not at.exception and not at.error
    assert any("held-out" in c.value for c in at.caption)  # validation/ is the test set
    for mode in ("features", "frozen", "finetune"):
        at.radio(key="transfer_mode").set_value(mode).run()
        at.number_input(key="transfer_epochs").set_value(1 if mode != "features" else 3).run()
        at.button(key="transfer_start").click().run()
        at, job = run_until_done(at, "transfer")
        assert job.status == "finished", job.error
        assert job.result.evaluation.y_true.shape == (8,)  # the 8 validation images
    assert not at.exception
    table = next(d.value for d in at.dataframe if "test accuracy" in d.value.columns)
    assert list(table["mode"]) == ["features", "frozen", "finetune"]
    assert list(table["test images"]) == [8, 8, 8]
    assert table["trainable params"][2] > table["trainable params"][0]


def test_compare_chart_shows_accuracies_even_when_no_run_makes_an_error():
    from cnnviz.ui.transfer import compare_figure

    rows = [
        {"mode": mode, "base": "efficientnet_lite0", "test accuracy": acc, "errors": errors,
         "test images": 40, "seconds": 3.0, "trainable params": 1000}
        for mode, acc, errors in [("features", 1.0, 0), ("frozen", 1.0, 0), ("finetune", 1.0, 0)]
    ]  # fmt: skip
    fig = compare_figure(rows)
    bars = [(y, text) for trace in fig.data for y, text in zip(trace.y, trace.text, strict=True)]
    assert len(bars) == 3
    # A bar per run as high as its test accuracy (an all-zero errors chart is empty).
    assert [y for y, _ in bars] == [1.0, 1.0, 1.0]
    low, high = fig.layout.yaxis.range
    assert low < 1.0 < high
    # The errors are still told, as text on each bar.
    assert all("0 of 40 wrong" in text for _, text in bars)
    # Runs that differ: the chart shows the difference.
    rows[0].update({"test accuracy": 0.9, "errors": 4})
    ys = [y for trace in compare_figure(rows).data for y in trace.y]
    assert ys == [0.9, 1.0, 1.0]
