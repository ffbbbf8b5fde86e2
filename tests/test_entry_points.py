"""The public entry points named in the architecture notes keep their names and meaning.

Outside scripts and checks call these by name; the code behind them may move between
modules, these must not.
"""

import inspect

import pytest

ENTRY_POINTS = [
    ("cnnviz.errors", "InputError"),
    ("cnnviz.images", "load_image"),
    ("cnnviz.images", "samples"),
    ("cnnviz.filters", "gabor_kernel"),
    ("cnnviz.filters", "sobel"),
    ("cnnviz.filters", "output_size"),
    ("cnnviz.filters", "fit_gabor"),
    ("cnnviz.datasets", "load"),
    ("cnnviz.datasets", "available"),
    ("cnnviz.datasets", "from_zip"),
    ("cnnviz.architectures", "available"),
    ("cnnviz.architectures", "build"),
    ("cnnviz.courses", "available"),
    ("cnnviz.courses", "get"),
    ("cnnviz.courses", "count_params"),
    ("cnnviz.training", "TrainingJob"),
    ("cnnviz.training", "TrainingConfig"),
    ("cnnviz.training", "recommended_config"),
    ("cnnviz.store", "ModelStore"),
    ("cnnviz.activations", "layer_activations"),
    ("cnnviz.featureviz", "visualize_filters"),
    ("cnnviz.attribution", "grad_cam"),
    ("cnnviz.attribution", "localisation"),
    ("cnnviz.pretrained", "available"),
    ("cnnviz.pretrained", "load"),
    ("cnnviz.pretrained", "BUNDLED"),
    ("cnnviz.transfer", "TransferConfig"),
    ("cnnviz.adversarial", "fgsm"),
    ("cnnviz.activation_functions", "FUNCTIONS"),
    ("cnnviz.autoencoder", "build_model"),
]


@pytest.mark.parametrize(("module", "name"), ENTRY_POINTS, ids=lambda v: str(v))
def test_entry_point_is_there(module, name):
    mod = __import__(module, fromlist=[name])
    assert hasattr(mod, name), f"{module}.{name} is part of the public contract"


@pytest.mark.parametrize(
    ("module", "name", "parameters"),
    [
        ("cnnviz.images", "load_image", ["source", "max_side"]),
        ("cnnviz.filters", "gabor_kernel", ["ksize", "sigma", "theta", "lambd", "gamma", "psi"]),
        ("cnnviz.filters", "output_size", ["n", "f", "p", "s"]),
        ("cnnviz.datasets", "from_zip", ["source", "workdir", "image_size"]),
        ("cnnviz.architectures", "build", ["name", "input_shape", "num_classes"]),
        ("cnnviz.courses", "get", ["key"]),
        ("cnnviz.courses", "count_params", ["experiment"]),
        ("cnnviz.activations", "layer_activations", ["model", "images", "layer_names"]),
        (
            "cnnviz.featureviz",
            "visualize_filters",
            ["model", "layer_name", "filter_indices", "steps", "size", "seed"],
        ),
        ("cnnviz.attribution", "grad_cam", ["model", "images", "class_index", "layer_name"]),
        ("cnnviz.attribution", "localisation", ["model", "images", "boxes", "methods"]),
        ("cnnviz.adversarial", "fgsm", ["model", "images", "epsilon", "class_index"]),
        ("cnnviz.autoencoder", "build_model", ["input_shape"]),
    ],
)
def test_entry_point_keeps_its_parameters(module, name, parameters):
    func = getattr(__import__(module, fromlist=[name]), name)
    have = list(inspect.signature(func).parameters)
    assert [p for p in parameters if p not in have] == [], have


def test_autoencoder_build_model_is_the_courses_network():
    from cnnviz import autoencoder

    model = autoencoder.build_model((28, 28, 1))
    assert model.count_params() == 37_601  # LearnOpenCV's denoising autoencoder on MNIST


def test_input_error_is_a_value_error():
    from cnnviz.errors import InputError

    assert issubclass(InputError, ValueError)


def test_transfer_config_defaults_are_the_documented_ones():
    from cnnviz import pretrained
    from cnnviz.transfer import TransferConfig

    cfg = TransferConfig()
    assert (cfg.base, cfg.mode, cfg.fine_tune_layers) == (pretrained.BUNDLED, "features", 0)
    assert (cfg.head_units, cfg.head_dropout) == (256, 0.5)
    for mode in ("features", "frozen", "finetune"):
        assert TransferConfig(mode=mode).mode == mode


def test_datasets_available_says_which_work_offline():
    from cnnviz import datasets

    names = {d.name: d.offline for d in datasets.available()}
    assert names["shapes"] and names["digits"] and not names["mnist"]
