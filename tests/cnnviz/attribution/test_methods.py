from dataclasses import dataclass

import keras
import numpy as np
import pytest

from cnnviz import attribution as at
from cnnviz import datasets, models
from cnnviz.attribution import base as attribution_base
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit
from cnnviz.registry import Registry

L = keras.layers
FAST_OPTIONS = {"occlusion": {"patch": 4, "stride": 2}, "smoothgrad": {"samples": 3}}


def small_model(final="softmax", classes=3):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Conv2D(6, 3, padding="same", activation="relu", name="c1"),
            L.MaxPooling2D(name="pool"),
            L.Conv2D(8, 3, padding="same", activation="relu", name="c2"),
            L.GlobalAveragePooling2D(name="gap"),
            L.Dense(classes, activation=final, name="predictions"),
        ]
    )


@pytest.fixture(scope="module")
def model():
    return small_model()


X = np.random.default_rng(0).random((3, 16, 16, 3)).astype(np.float32)


def run(method, model, images, class_index=None, layer_name=None):
    return at.attribute(
        method, model, images, class_index, layer_name, **FAST_OPTIONS.get(method, {})
    )


@pytest.mark.parametrize("method", list(at.METHODS))
def test_shapes_ranges_and_classes(model, method):
    before = X.copy()
    result = run(method, model, X)
    assert result.heatmaps.shape == (3, 16, 16) and result.heatmaps.dtype == np.float32
    assert result.heatmaps.min() >= 0 and result.heatmaps.max() <= 1
    assert np.isfinite(result.heatmaps).all()
    top1 = keras.ops.convert_to_numpy(model(X)).argmax(1)
    np.testing.assert_array_equal(result.class_indices, top1)
    assert result.method == method
    assert result.layer_name == ("c2" if at.METHODS[method].uses_layer else None)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("method", list(at.METHODS))
def test_batch_equals_single_images(model, method):
    batch = run(method, model, X, class_index=[0, 1, 2]).heatmaps
    singles = np.concatenate(
        [run(method, model, X[i : i + 1], class_index=i).heatmaps for i in range(3)]
    )
    np.testing.assert_allclose(batch, singles, atol=1e-4)


@pytest.mark.parametrize("method", list(at.METHODS))
@pytest.mark.parametrize("value", [0.0, 0.5])
def test_constant_images_give_no_nan(model, method, value):
    heat = run(method, model, np.full((2, 16, 16, 3), value, np.float32)).heatmaps
    assert np.isfinite(heat).all() and heat.min() >= 0 and heat.max() <= 1


@pytest.mark.parametrize("method", ["gradcam", "gradcam++"])
def test_all_negative_evidence_gives_zeros_not_nan(method):
    m = small_model()
    dense = m.get_layer("predictions")
    dense.kernel.assign(-np.abs(keras.ops.convert_to_numpy(dense.kernel)) - 0.1)
    # ReLU maps are >= 0 and every weight is negative: the CAM is <= 0 everywhere.
    heat = run(method, m, X, class_index=0).heatmaps
    np.testing.assert_array_equal(heat, 0)


def test_normalize_handles_degenerate_maps():
    maps = np.stack([np.full((4, 4), -3.0), np.zeros((4, 4)), np.arange(16.0).reshape(4, 4)])
    out = at.normalize(maps)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:2], 0)
    assert out[2].max() == pytest.approx(1.0) and out[2].min() == 0


def test_grad_cam_closed_form_for_gap_dense(model):
    # With GAP then Dense, d logit_k / d A[i, j, c] = W[c, k] / (h * w): Grad-CAM is CAM.
    k = 1
    feats = keras.Model(model.inputs[0], model.get_layer("c2").output)
    maps = keras.ops.convert_to_numpy(feats(X))
    w = keras.ops.convert_to_numpy(model.get_layer("predictions").kernel)[:, k] / (8 * 8)
    cam = np.maximum(np.einsum("nhwc,c->nhw", maps, w), 0)
    geometry = models.receptive_field(model, "c2")  # cells placed where they look
    expected = at.normalize(at.upsample(cam, (16, 16), geometry))
    np.testing.assert_allclose(at.grad_cam(model, X, class_index=k), expected, atol=1e-5)


def test_gradients_are_of_logits_not_softmax(model):
    # The same network with a linear head, sharing weights, gives the same maps: the
    # softmax is not differentiated.
    linear = keras.Sequential([*model.layers[:-1], L.Dense(3, name="lin")])
    linear.build((None, 16, 16, 3))
    linear.get_layer("lin").set_weights(model.get_layer("predictions").get_weights())
    for method in ("gradcam", "gradcam++", "saliency"):
        ours = run(method, model, X, class_index=2).heatmaps
        ref = run(method, linear, X, class_index=2).heatmaps
        np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_saliency_closed_form_for_a_linear_model():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((4, 5, 3)), L.Flatten(), L.Dense(2)])
    w = keras.ops.convert_to_numpy(m.layers[-1].kernel)[:, 1].reshape(4, 5, 3)
    expected = np.abs(w).max(-1) / np.abs(w).max()
    heat = at.saliency(m, np.random.default_rng(0).random((1, 4, 5, 3)).astype(np.float32), 1)
    np.testing.assert_allclose(heat[0], expected, atol=1e-5)


def test_occlusion_only_marks_what_the_model_looks_at():
    # The model only sees the top-left 8x8 corner.
    keras.utils.set_random_seed(4)
    m = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            L.Cropping2D(((0, 8), (0, 8))),
            L.Conv2D(4, 3, activation="relu"),
            L.GlobalAveragePooling2D(),
            L.Dense(2),
        ]
    )
    heat = at.occlusion(m, X[:1], class_index=0, patch=4, stride=4, score="logit")[0]
    assert heat[8:, :].max() == 0 and heat[:, 8:].max() == 0


@pytest.mark.parametrize(
    ("class_index", "match"),
    [
        (3, "Class 3 does not exist"),
        ([0, 1], "2 class indices for 3 images"),
        ("a", "integer"),
        (-1, "Class -1"),
    ],
)
def test_bad_class_index(model, class_index, match):
    with pytest.raises(InputError, match=match):
        at.grad_cam(model, X, class_index=class_index)


def test_layer_choice(model):
    heat_c1 = at.attribute("gradcam", model, X, layer_name="c1")
    assert heat_c1.layer_name == "c1" and heat_c1.heatmaps.shape == (3, 16, 16)
    with pytest.raises(InputError, match="2-D feature maps"):
        at.grad_cam(model, X, layer_name="gap")
    with pytest.raises(InputError, match="no layer named"):
        at.grad_cam(model, X, layer_name="nope")
    with pytest.raises(InputError, match="Unknown method"):
        at.attribute("magic", model, X)


def test_binary_sigmoid_model_explains_both_classes():
    m = small_model(final="sigmoid", classes=1)
    r = at.attribute("gradcam", m, X)
    p = keras.ops.convert_to_numpy(m(X))[:, 0]
    np.testing.assert_array_equal(r.class_indices, (p > 0.5).astype(int))
    # Class 0 is scored by -z: it is class 1 of the same network with the output negated.
    flipped = small_model(final="sigmoid", classes=1)
    flipped.set_weights(m.get_weights())
    head = flipped.get_layer("predictions")
    head.set_weights([-w for w in head.get_weights()])
    np.testing.assert_allclose(
        at.grad_cam(m, X, class_index=0), at.grad_cam(flipped, X, class_index=1), atol=1e-5
    )
    assert not np.allclose(at.grad_cam(m, X, class_index=0), at.grad_cam(m, X, class_index=1))


def test_image_model_takes_raw_rgb_of_any_size(model):
    im = ImageModel("small", model, (16, 16), unit(), list("abc"))
    rgb = np.random.default_rng(2).integers(0, 256, (2, 50, 40, 3), dtype=np.uint8)
    before = rgb.copy()
    heat = at.grad_cam(im, rgb)
    assert heat.shape == (2, 16, 16)
    np.testing.assert_array_equal(rgb, before)
    direct = at.grad_cam(model, im.preprocess(rgb))
    np.testing.assert_allclose(heat, direct, atol=1e-5)
    sal = at.saliency(im, rgb[0])
    assert sal.shape == (1, 16, 16)
    np.testing.assert_allclose(at.predict_proba(im, rgb), im.predict_proba(rgb), atol=1e-5)


def test_nested_model_default_layer_is_inside_the_base():
    keras.utils.set_random_seed(5)
    base = keras.Sequential(
        [keras.Input((16, 16, 3)), L.Conv2D(4, 3, activation="relu", name="base_conv")], name="base"
    )
    m = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            base,
            L.GlobalAveragePooling2D(),
            L.Dense(2, activation="softmax"),
        ]
    )
    r = at.attribute("gradcam", m, X)
    assert r.layer_name == "base_conv"
    assert r.heatmaps.shape == (3, 16, 16)


def test_smoothgrad_is_deterministic_for_a_seed(model):
    a = at.smoothgrad(model, X, samples=3, seed=1)
    b = at.smoothgrad(model, X, samples=3, seed=1)
    c = at.smoothgrad(model, X, samples=3, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_register_adds_a_method_in_a_few_lines(model, monkeypatch):
    # A scratch registry holding the real methods, so the test leaves the real one as it was.
    scratch = Registry("method")
    for method in at.REGISTRY:
        scratch.register(method)
    monkeypatch.setattr(attribution_base, "REGISTRY", scratch)

    @dataclass(frozen=True)
    class MaxGradCAM(at.CAMMethod):
        key: str = "test-maxgrad"
        title: str = "Max-gradient CAM"
        help: str = "weights each feature map by its largest gradient."

        def channel_weights(self, maps, grads):
            return grads.max(axis=(1, 2))

    at.register(MaxGradCAM)
    assert "test-maxgrad" in at.METHODS and at.METHODS["test-maxgrad"].label == "Max-gradient CAM"
    heat = at.attribute("test-maxgrad", model, X).heatmaps
    assert heat.shape == (3, 16, 16) and heat.max() <= 1
    with pytest.raises(ValueError, match="registered twice"):
        at.register(MaxGradCAM)


# ---- every registered method ----------------------------------------------------------------


@pytest.mark.parametrize("method", at.REGISTRY.available(), ids=lambda m: m.key)
def test_every_registered_method_gives_unit_maps_and_leaves_its_inputs(model, method):
    """Registry-driven: a new method is tested by being registered (defaults only)."""
    assert method.title and method.help, "each method carries its own title and help text"
    assert at.METHODS[method.key] is method
    pair = X[:2].copy()
    result = method(model, pair)
    assert result.heatmaps.shape == (2, 16, 16) and result.heatmaps.dtype == np.float32
    assert result.heatmaps.min() >= 0 and result.heatmaps.max() <= 1
    np.testing.assert_array_equal(pair, X[:2])
    im = ImageModel("small", model, (16, 16), unit(), list("abc"))
    rgb = np.random.default_rng(7).integers(0, 256, (2, 20, 24, 3), dtype=np.uint8)
    before = rgb.copy()
    heat = at.attribute(method.key, im, rgb).heatmaps
    assert heat.shape == (2, 16, 16) and heat.dtype == np.float32
    assert heat.min() >= 0 and heat.max() <= 1
    np.testing.assert_array_equal(rgb, before)


# ---- display helpers ---------------------------------------------------------------------------


def test_overlay_blends_and_resizes():
    image = np.full((20, 30, 3), 100, np.uint8)
    heat = np.zeros((10, 15), np.float32)
    heat[5:, :] = 1.0
    out = at.overlay(image, heat, alpha=0.5, colormap="jet")
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(at.overlay(image, heat, alpha=0.0), image)
    full = at.overlay(image, heat, alpha=1.0, colormap="viridis")
    np.testing.assert_array_equal(full[0, 0], at.colorize(np.zeros((1, 1)), "viridis")[0, 0])
    assert at.overlay(image[..., 0], heat).shape == (20, 30, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"alpha": 1.5}, "Opacity"), ({"colormap": "rainbow-unicorn"}, "colour map")],
)
def test_overlay_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        at.overlay(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4)), **kwargs)


@pytest.mark.parametrize(
    ("peak", "box", "tolerance", "hit"),
    [
        ((5, 5), (4, 4, 8, 8), 0, True),
        ((4, 4), (4, 4, 8, 8), 0, True),  # on the top-left edge
        ((8, 5), (4, 4, 8, 8), 0, False),  # x1 is exclusive, as in cnnviz.datasets
        ((8, 5), (4, 4, 8, 8), 1, True),
        ((0, 0), (4, 4, 8, 8), 0, False),
    ],
)
def test_pointing_game(peak, box, tolerance, hit):
    heat = np.zeros((1, 12, 12), np.float32)
    heat[0, peak[1], peak[0]] = 1.0
    assert at.pointing_game(heat, np.array([box]), tolerance=tolerance).tolist() == [hit]


# ---- the heatmap looks at the object ---------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_model():
    ds = datasets.load("shapes", n_train=1500, n_test=120, seed=3, classes=["circle", "cross"])
    keras.utils.set_random_seed(0)
    m = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            L.Conv2D(16, 3, padding="same", activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(32, 3, padding="same", activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(32, 3, padding="same", activation="relu", name="last_conv"),
            L.GlobalAveragePooling2D(),
            L.Dense(2, activation="softmax"),
        ]
    )
    m.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    m.fit(ds.x_train / 255.0, ds.y_train, epochs=6, batch_size=32, verbose=0)
    return ImageModel("shapes", m, (32, 32), unit(), ds.class_names), ds


def test_grad_cam_points_at_the_object(shapes_model):
    im, ds = shapes_model
    accuracy = float((im.predict_proba(ds.x_test).argmax(1) == ds.y_test).mean())
    assert accuracy > 0.9
    heat = at.grad_cam(im, ds.x_test)
    hits = at.pointing_game(heat, ds.boxes_test)
    shuffled = at.pointing_game(heat, np.roll(ds.boxes_test, 1, axis=0))
    assert hits.mean() >= 0.75, hits.mean()
    assert hits.mean() > shuffled.mean() + 0.05
    # More of the heat lies on the object's box than on the same area elsewhere.
    inside = np.zeros_like(heat, dtype=bool)
    for i, (x0, y0, x1, y1) in enumerate(ds.boxes_test):
        inside[i, y0:y1, x0:x1] = True
    density_in = (heat * inside).sum() / inside.sum()
    density_out = (heat * ~inside).sum() / (~inside).sum()
    assert density_in > 1.5 * density_out
