"""Real examples: the patches that excite a filter most."""

import keras
import numpy as np
import pytest

from cnnviz import featureviz, models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit

L = keras.layers


@pytest.mark.parametrize("channels", [3, 1])
def test_top_exemplars_are_the_argmax_activations_by_brute_force(channels):
    keras.utils.set_random_seed(5)
    net = keras.Sequential(
        [
            keras.Input((12, 12, channels)),
            L.Conv2D(4, 3, activation="relu", name="a"),
            L.MaxPooling2D(2, name="p"),
            L.Conv2D(3, 3, activation="relu", name="b"),  # 3x3 map, 8-px field, stride 2
        ]
    )
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20, 12, 12, channels), dtype=np.uint8)
    filters = [2, 0]
    ex = featureviz.top_exemplars(net, "b", filters, images, k=4)
    geometry = models.receptive_field(net, "b")
    assert ex.patches.shape == (2, 4, *geometry.size, 3) and ex.patches.dtype == np.uint8
    for f, filt in enumerate(filters):
        # One image at a time, straight through the Keras model.
        acts = [
            keras.ops.convert_to_numpy(net(img[None].astype(np.float32) / 255))[0, ..., filt]
            for img in images
        ]
        peaks = np.array([a.max() for a in acts])
        expected = np.argsort(-peaks, kind="stable")[:4]
        np.testing.assert_array_equal(ex.image_index[f], expected)
        np.testing.assert_allclose(ex.scores[f], peaks[expected], rtol=1e-5, atol=1e-6)
        for r, m in enumerate(expected):
            i, j = np.unravel_index(np.argmax(acts[m]), acts[m].shape)
            assert tuple(ex.cell[f, r]) == (i, j)
            x0, y0, x1, y1 = geometry.window(i, j, (12, 12))
            assert tuple(ex.boxes[f, r]) == (x0, y0, x1, y1)
            crop = np.repeat(images[m], 3, axis=2) if channels == 1 else images[m]
            crop = crop[y0:y1, x0:x1]
            patch = ex.patches[f, r]
            # The crop is in the patch, and the rest of the field (off the image) is grey.
            found = [
                (a, b)
                for a in range(patch.shape[0] - crop.shape[0] + 1)
                for b in range(patch.shape[1] - crop.shape[1] + 1)
                if np.array_equal(patch[a : a + crop.shape[0], b : b + crop.shape[1]], crop)
            ]
            assert found, (f, r)
            assert (patch != 128).any(axis=-1).sum() <= crop.shape[0] * crop.shape[1]
    if channels == 1:
        p = ex.patches
        assert (p[..., 0] == p[..., 1]).all() and (p[..., 1] == p[..., 2]).all()


def test_top_exemplars_of_an_image_model_show_grey_for_a_grayscale_model():
    keras.utils.set_random_seed(6)
    net = keras.Sequential([keras.Input((16, 16, 1)), L.Conv2D(3, 5, activation="relu", name="c")])
    gray = ImageModel("g", net, (16, 16), unit(grayscale=True), list("ab"))
    photos = [
        np.random.default_rng(s).integers(0, 256, (24 + s, 20, 3), np.uint8) for s in range(5)
    ]
    ex = featureviz.top_exemplars(gray, "c", [0, 1, 2], photos, k=9)
    assert ex.patches.shape == (3, 5, 5, 5, 3)  # k capped at the 5 images
    assert (ex.patches[..., 0] == ex.patches[..., 2]).all()
    assert np.all(np.diff(ex.scores, axis=1) <= 0)


def test_top_exemplars_reject_bad_requests(model):
    images = np.zeros((3, 16, 16, 3), np.uint8)
    with pytest.raises(InputError, match="does not exist"):
        featureviz.top_exemplars(model, "c2", [9], images)
    with pytest.raises(InputError, match="16 × 16"):
        featureviz.top_exemplars(model, "c2", [0], np.zeros((3, 20, 20, 3), np.uint8))
    with pytest.raises(InputError, match="No image"):
        featureviz.top_exemplars(model, "c2", [0], [])
