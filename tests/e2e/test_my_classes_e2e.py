"""Real browser with Chromium's fake camera: snapshots for one class, files for another,
Train, a live snapshot's probabilities and Grad-CAM, and the three exports loaded back."""

import io
import zipfile

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
SNAPSHOTS = 3


@pytest.fixture
def camera_page(playwright_session):
    """A page of a Chromium that has a fake camera (a moving test pattern), 1280x900."""
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_FLAGS + FAKE_CAMERA, headless=True
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera"])
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
    browser.close()


def _png(rgb) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes()


def _red(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    img = np.zeros((240, 320, 3), np.uint8)
    img[..., 0] = 200
    return _png(np.clip(img + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8))


def _add_class(pg, name: str) -> None:
    field = pg.locator(".st-key-myclasses_new_name input")
    field.fill(name)
    pg.get_by_role("button", name="Add class").click()
    pg.get_by_text(f"Class “{name}” made").wait_for()
    wait_for_app(pg)


def _snap(pg, widget: str) -> bool:
    """Take a photo with the camera widget whose key starts with ``widget``; False if none."""
    button = pg.locator(f"[class*='st-key-{widget}'] button").filter(has_text="Take Photo")
    try:
        button.first.wait_for(timeout=30_000)
        pg.wait_for_timeout(4000)  # the fake stream starts (black frames before it)
        button.first.click()
    except Exception as exc:  # no camera in this browser: the caller uploads instead
        print(f"no camera snapshot ({widget}): {exc}")
        return False
    wait_for_app(pg)
    return True


def _upload(pg, key_prefix: str, files) -> None:
    pg.locator(f"[class*='st-key-{key_prefix}'] input[type=file]").first.set_input_files(files)
    wait_for_app(pg)


def _download(pg, label: str) -> bytes:
    with pg.expect_download(timeout=180_000) as info:
        pg.get_by_role("button", name=label).click()
    path = info.value.path()
    with open(path, "rb") as f:
        return f.read()


def test_camera_classes_train_guess_and_exports_load_back(app_url, camera_page, tmp_path):
    try:
        _flow(app_url, camera_page, tmp_path)
    except Exception:
        screenshot(camera_page, "my-classes-failure")
        raise


def _flow(app_url, pg, tmp_path):
    pg.goto(app_url + "/my_classes")
    pg.get_by_role("heading", name="My classes").first.wait_for()
    wait_for_app(pg)
    _add_class(pg, "camera")
    _add_class(pg, "red")
    assert not pg.get_by_test_id("stException").count()

    # Snapshots in a row for "camera" (the first class is chosen), each added at once.
    used_camera = all(_snap(pg, "myclasses_camera_") for _ in range(SNAPSHOTS))
    if not used_camera:  # no camera in this browser: an uploaded frame instead
        pg.locator(".st-key-myclasses_source label").filter(has_text="Files").click()
        wait_for_app(pg)
        green = _png(np.full((240, 320, 3), (30, 160, 60), np.uint8))
        frames = [
            {"name": f"f{i}.png", "mimeType": "image/png", "buffer": green}
            for i in range(SNAPSHOTS)
        ]
        _upload(pg, "myclasses_files_", frames)
        pg.get_by_role("button", name="Add 3 file(s)").click()
        wait_for_app(pg)
    pg.get_by_text(f"{SNAPSHOTS} images").first.wait_for()

    pg.locator(".st-key-myclasses_source label").filter(has_text="Files").click()
    wait_for_app(pg)
    pg.locator(".st-key-myclasses_target label").filter(has_text="red").click()
    wait_for_app(pg)
    files = [{"name": f"r{i}.png", "mimeType": "image/png", "buffer": _red(i)} for i in range(3)]
    _upload(pg, "myclasses_files_", files)
    pg.get_by_role("button", name="Add 3 file(s) to “red”").click()
    pg.get_by_text("Added 3 image(s) to “red”").wait_for()
    wait_for_app(pg)
    assert pg.get_by_text("3 images").count() == 2
    assert not pg.get_by_test_id("stException").count()
    pg.set_viewport_size({"width": 1024, "height": 900})
    screenshot(pg, "my-classes-1024")
    pg.set_viewport_size({"width": 1280, "height": 900})
    pg.reload()  # the workspace key is in the URL: the classes are still there
    pg.get_by_role("heading", name="My classes").first.wait_for()
    wait_for_app(pg)
    pg.get_by_text("3 images").nth(1).wait_for()

    pg.locator(".st-key-myclasses_train button").click()
    pg.get_by_text("Trained.").first.wait_for(timeout=300_000)
    wait_for_app(pg)

    # Point the camera (or, without one, a file) at something: probabilities and Grad-CAM.
    if used_camera:
        assert _snap(pg, "myclasses_try_camera")
    else:
        pg.locator(".st-key-myclasses_try_source label").filter(has_text="A file").click()
        wait_for_app(pg)
        _upload(pg, "myclasses_try_file_", [{"name": "t.png", "mimeType": "image/png",
                                             "buffer": _red(99)}])  # fmt: skip
    pg.get_by_text("Grad-CAM for").first.wait_for(timeout=120_000)
    wait_for_app(pg)
    assert pg.locator(".st-key-myclasses_probs .js-plotly-plot").count() == 1
    assert not pg.get_by_test_id("stException").count()
    screenshot(pg, "my-classes-1280")

    # The exports load back: the zip by cnnviz.datasets, the .keras by Keras, the .tflite.
    from cnnviz import datasets

    data = _download(pg, "Images (.zip)")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 * SNAPSHOTS and all(n.startswith("train/") for n in names)
    ds = datasets.from_zip(data, tmp_path, image_size=64, keep=None, min_per_class=1)
    assert sorted(ds.class_names) == ["camera", "red"]

    import keras

    (tmp_path / "m.keras").write_bytes(_download(pg, "Model (.keras)"))
    model = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    assert tuple(model.inputs[0].shape[1:]) == (224, 224, 3)

    pg.get_by_role("button", name="Convert to TensorFlow Lite").click()
    pg.get_by_text("the same top-1 class as the Keras model on 6 of 6").wait_for(timeout=300_000)
    wait_for_app(pg)
    lite = _download(pg, "Model (.tflite)")
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=lite)
    interpreter.allocate_tensors()
    assert list(interpreter.get_input_details()[0]["shape"]) == [1, 224, 224, 3]
    screenshot(pg, "my-classes-exports")
    pg.set_viewport_size({"width": 1024, "height": 900})
    screenshot(pg, "my-classes-exports-1024")

    # Look inside it: the model joins the workspace's models and Grad-CAM opens on it.
    pg.get_by_role("button", name="Look inside it on the other pages").click()
    pg.get_by_text("Added to your models").first.wait_for(timeout=120_000)
    wait_for_app(pg)
    screenshot(pg, "my-classes-look-inside")
    pg.get_by_test_id("stPageLink").filter(has_text="Grad-CAM").first.click()
    pg.get_by_role("heading", name="Grad-CAM").first.wait_for(timeout=120_000)
    wait_for_app(pg, 300_000)
    # The model chosen is the two-class one (the bundled ImageNet model has 1,000 classes).
    expect(pg.get_by_text("224×224 colour input · 2 classes").first).to_be_visible(timeout=120_000)
    assert not pg.get_by_test_id("stException").count()
    screenshot(pg, "my-classes-gradcam")
