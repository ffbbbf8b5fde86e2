"""Filter visualization in Chromium: the bundled model's real examples from one's own photos."""

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import follow_sidebar_link, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _photo(path, seed: int):
    """A 200 x 150 photo-like PNG: smooth colour blobs (a known file, made here)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:150, 0:200]
    img = np.zeros((150, 200, 3))
    for _ in range(6):
        cy, cx, r = rng.uniform(0, 150), rng.uniform(0, 200), rng.uniform(15, 50)
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(0, 255, 3)
    Image.fromarray(img.astype(np.uint8)).save(path)
    return str(path)


def test_own_photos_join_the_real_examples_of_a_pretrained_model(app_url, page, tmp_path):
    page.goto(app_url)
    wait_for_app(page)
    follow_sidebar_link(page, "Filter visualization", "featureviz")
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("Real examples", exact=True).wait_for(timeout=300_000)
    wait_for_app(page, 300_000)
    page.get_by_text("offline sample photos (this model's training images").wait_for()

    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not a picture")
    files = [_photo(tmp_path / "a.png", 1), _photo(tmp_path / "b.png", 2), str(bad)]
    uploader = page.locator("[class*='st-key-fv_exemplar_uploads'] input[type=file]")
    uploader.set_input_files(files)
    page.get_by_text("your 2 photo(s)").wait_for(timeout=300_000)
    wait_for_app(page, 300_000)
    assert page.get_by_text("notes.png:").first.is_visible()  # refused, in words
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "featureviz-own-photos")
