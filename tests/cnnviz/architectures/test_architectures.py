import copy
import math

import numpy as np
import pytest

from cnnviz import architectures as arch
from cnnviz.architectures.rows import normalize_row
from cnnviz.errors import InputError

# The parameter counts of the issue, at the input each network was designed for.
PARAMETER_COUNTS = [
    ("mnist_cnn", (28, 28, 1), 10, 93_322),
    ("fashion_cnn", (28, 28, 1), 10, 243_786),
    ("fashion_cnn_leaky", (28, 28, 1), 10, 356_234),
    ("cats_vs_dogs_cnn", (150, 150, 3), 2, 3_453_121),
    ("cifar10_cnn", (32, 32, 3), 10, 276_138),
    ("tiny_vgg", (64, 64, 3), 10, 19_920),
    ("cam_cnn", (64, 64, 3), 6, 61_606),
    ("mlp", (28, 28, 1), 10, 669_706),
]


def test_available_lists_every_preset():
    assert arch.available() == [name for name, *_ in PARAMETER_COUNTS]


@pytest.mark.parametrize("name, input_shape, num_classes, params", PARAMETER_COUNTS)
def test_preset_parameter_counts(name, input_shape, num_classes, params):
    model = arch.build(name, input_shape, num_classes)
    assert model.count_params() == params
    assert model.name == name
    assert tuple(model.input_shape[1:]) == input_shape
    assert arch.preset(name).params == params
    # The Keras-free summary agrees with the model, row by row.
    table = arch.summary_table(model)
    assert arch.spec_summary(arch.preset_spec(name), input_shape, num_classes) == table
    assert sum(row["params"] for row in table) == params
    assert table[0]["layer"] == "input" and table[-1]["layer"] == "predictions"


def test_readable_layer_names_and_shapes():
    model = arch.build("mnist_cnn", (28, 28, 1), 10)
    names = [layer.name for layer in model.layers]
    assert names == [
        "input",
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "conv3",
        "flatten",
        "dense1",
        "predictions",
    ]
    rows = {r["layer"]: r for r in arch.summary_table(model)}
    assert rows["conv1"]["output_shape"] == "26×26×32" and rows["conv1"]["params"] == 320
    assert rows["conv3"]["output_shape"] == "3×3×64"
    assert rows["flatten"]["output_shape"] == "576"


@pytest.mark.parametrize("num_classes, units, activation", [(2, 1, "sigmoid"), (3, 3, "softmax")])
def test_output_layer_follows_the_class_count(num_classes, units, activation):
    model = arch.build("cats_vs_dogs_cnn", (64, 64, 3), num_classes)
    out = model.get_layer("predictions")
    assert out.units == units and out.activation.__name__ == activation
    probs = np.asarray(model(np.random.default_rng(0).random((2, 64, 64, 3), np.float32)))
    assert probs.shape == (2, units)
    if units > 1:
        np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    else:
        assert ((probs > 0) & (probs < 1)).all()


@pytest.mark.parametrize(
    "name, input_shape, num_classes",
    [
        ("mnist_cnn", (32, 32, 3), 6),  # shapes
        ("tiny_vgg", (28, 28, 1), 10),  # digits
        ("fashion_cnn_leaky", (25, 25, 1), 2),  # faces
        ("cifar10_cnn", (28, 28, 1), 10),
        ("mlp", (32, 32, 3), 6),
        ("cats_vs_dogs_cnn", (64, 64, 3), 6),
    ],
)
def test_presets_follow_the_dataset_shape(name, input_shape, num_classes):
    model = arch.build(name, input_shape, num_classes)
    assert tuple(model.input_shape[1:]) == input_shape
    expected = 1 if num_classes == 2 else num_classes
    assert model.output_shape == (None, expected)


@pytest.mark.parametrize(
    "name, input_shape, smallest",
    [
        ("cats_vs_dogs_cnn", (32, 32, 3), 46),
        ("mnist_cnn", (8, 8, 1), 18),
        ("cifar10_cnn", (16, 16, 3), 22),
        ("tiny_vgg", (12, 12, 3), 16),
    ],
)
def test_presets_too_big_for_small_images_say_what_size_they_need(name, input_shape, smallest):
    with pytest.raises(InputError) as info:
        arch.build(name, input_shape, 10)
    message = str(info.value)
    assert f"at least {smallest}×{smallest}" in message
    assert arch.preset(name).title in message
    assert "Layer " in message
    arch.build(name, (smallest, smallest, input_shape[2]), 10)  # and that size works


def test_dropout_hyperparameter_replaces_or_adds_dropout():
    model = arch.build("cifar10_cnn", (32, 32, 3), 10, dropout=0.1)
    rates = [layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"]
    assert rates == [0.1] * 4
    default = arch.build("cifar10_cnn", (32, 32, 3), 10)
    rates = [layer.rate for layer in default.layers if type(layer).__name__ == "Dropout"]
    assert rates == [0.25, 0.25, 0.25, 0.5]
    added = arch.build("mnist_cnn", (28, 28, 1), 10, dropout=0.3)
    names = [layer.name for layer in added.layers]
    assert names[-2:] == ["dropout1", "predictions"]
    assert added.count_params() == 93_322
    none_added = arch.build("mnist_cnn", (28, 28, 1), 10, dropout=0.0)
    assert "dropout1" not in [layer.name for layer in none_added.layers]


def test_batchnorm_and_activation_hyperparameters():
    model = arch.build("tiny_vgg", (64, 64, 3), 10, batchnorm=True, activation="elu")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("BatchNormalization") == 4
    assert model.count_params() == 19_920 + 4 * 4 * 10
    assert model.get_layer("conv1").activation.__name__ == "elu"


def test_seed_gives_reproducible_weights():
    a = arch.build("tiny_vgg", (32, 32, 3), 4, seed=3)
    b = arch.build("tiny_vgg", (32, 32, 3), 4, seed=3)
    c = arch.build("tiny_vgg", (32, 32, 3), 4, seed=4)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    # Each layer gets its own initial values, not copies of one another.
    assert not np.array_equal(a.get_weights()[2][:, :, :3, :], a.get_weights()[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "resnet"}, "Unknown architecture"),
        ({"learning_rate": 0.1}, "Unknown hyperparameter learning_rate"),
        ({"num_classes": 1}, "at least two classes"),
        ({"input_shape": (28, 28)}, "Input shape"),
        ({"dropout": 1.0}, "dropout rate"),
        ({"activation": "swish2"}, "unknown activation"),
    ],
)
def test_build_refuses_bad_arguments(kwargs, message):
    args = {"name": "mnist_cnn", "input_shape": (28, 28, 1), "num_classes": 10, **kwargs}
    name, shape, classes = args.pop("name"), args.pop("input_shape"), args.pop("num_classes")
    with pytest.raises(InputError, match=message):
        arch.build(name, shape, classes, **args)


def test_preset_spec_is_a_fresh_copy():
    spec = arch.preset_spec("mnist_cnn")
    spec[0]["filters"] = 1
    spec.append({"type": "dense"})
    assert arch.preset_spec("mnist_cnn")[0]["filters"] == 32
    assert arch.build("mnist_cnn", (28, 28, 1), 10).count_params() == 93_322


CONV = {"type": "conv2d", "filters": 8, "kernel": 3}
POOL = {"type": "maxpool", "kernel": 2}

SPEC_PROBLEMS = [
    ("fine", [CONV, POOL, {"type": "flatten"}, {"type": "dense", "units": 16}], (16, 16, 1), None),
    ("empty table is logistic regression", [], (8, 8, 1), None),
    (
        "pool to nothing",
        [CONV, POOL, POOL, POOL, POOL],
        (16, 16, 1),
        "Layer 5 (max pool 2×2): input is 1×1, too small to pool 2×2",
    ),
    (
        "kernel larger than input",
        [{**CONV, "kernel": 7}],
        (5, 5, 3),
        "Layer 1 (conv 7×7, 8 filters): input is 5×5, smaller than the 7×7 kernel",
    ),
    ("same padding rescues it", [{**CONV, "kernel": 7, "padding": "same"}], (5, 5, 3), None),
    (
        "conv after flatten",
        [{"type": "flatten"}, CONV],
        (8, 8, 1),
        "Layer 2 (conv 3×3, 8 filters): its input is a flat vector of 64 values",
    ),
    ("pool after dense", [{"type": "dense", "units": 4}, POOL], (8, 8, 1), "Layer 2 (max pool"),
    ("unknown type", [{"type": "conv3d"}], (8, 8, 1), "Layer 1: unknown layer type 'conv3d'"),
    ("not a dict", ["conv"], (8, 8, 1), "Layer 1: expected a table row"),
    ("fractional filters", [{**CONV, "filters": 2.5}], (8, 8, 1), "filters must be a whole"),
    ("zero filters", [{**CONV, "filters": 0}], (8, 8, 1), "filters must be between 1 and 1024"),
    ("bad padding", [{**CONV, "padding": "full"}], (8, 8, 1), "padding must be 'valid' or 'same'"),
    ("bad activation", [{**CONV, "activation": "magic"}], (8, 8, 1), "unknown activation 'magic'"),
    ("dropout rate 1", [{"type": "dropout", "rate": 1}], (8, 8, 1), "dropout rate"),
    ("stride too big", [{**CONV, "stride": 9}], (8, 8, 1), "stride must be between 1 and 8"),
    (
        "huge dense",
        [{"type": "dense", "units": 8192}, {"type": "dense", "units": 8192}],
        (64, 64, 3),
        "more than 50,000,000",
    ),
    ("not a list", "conv2d", (8, 8, 1), "must be a list"),
]


@pytest.mark.parametrize(
    "case, spec, input_shape, problem", SPEC_PROBLEMS, ids=[c[0] for c in SPEC_PROBLEMS]
)
def test_validate_spec(case, spec, input_shape, problem):
    before = copy.deepcopy(spec)
    problems = arch.validate_spec(spec, input_shape, 10)
    assert spec == before
    if problem is None:
        assert problems == []
        model = arch.build_from_spec(spec, input_shape, 10)
        assert arch.summary_table(model) == arch.spec_summary(spec, input_shape, 10)
    else:
        assert len(problems) >= 1 and problem in problems[0]
        with pytest.raises(InputError, match=r"Layer|list|parameters"):
            arch.validate_spec(spec, input_shape, 10, strict=True)
        with pytest.raises(InputError):
            arch.build_from_spec(spec, input_shape, 10)
        with pytest.raises(InputError):
            arch.spec_summary(spec, input_shape, 10)


def test_table_cells_from_an_editor_are_understood():
    # st.data_editor gives floats, NaN for empty cells, strings with spaces and capitals.
    spec = [
        {
            "type": "Conv2D",
            "filters": 16.0,
            "kernel": "3",
            "stride": math.nan,
            "padding": None,
            "activation": "ReLU",
            "rate": math.nan,
            "units": math.nan,
        },
        {"type": "max pool", "filters": math.nan, "kernel": 2.0},
        {"type": "batch_norm"},
        {"type": "globalAvgPool"},
        {"type": "Dense", "units": 8, "activation": "none"},
    ]
    table = arch.spec_summary(spec, (12, 12, 3), 4)
    assert [r["type"] for r in table] == [
        "InputLayer",
        "Conv2D",
        "MaxPooling2D",
        "BatchNormalization",
        "GlobalAveragePooling2D",
        "Dense",
        "Dense",
    ]
    assert [r["output_shape"] for r in table] == [
        "12×12×3",
        "10×10×16",
        "5×5×16",
        "5×5×16",
        "16",
        "8",
        "4",
    ]
    model = arch.build_from_spec(spec, (12, 12, 3), 4)
    assert model.get_layer("dense1").activation.__name__ == "linear"
    assert arch.summary_table(model) == table


def test_flatten_is_added_before_dense_layers_and_the_output():
    spec = [CONV, {"type": "dense", "units": 5}]
    table = arch.spec_summary(spec, (6, 6, 1), 3)
    assert [r["layer"] for r in table] == ["input", "conv1", "flatten", "dense1", "predictions"]
    assert [r["layer"] for r in arch.spec_summary([CONV], (6, 6, 1), 3)] == [
        "input",
        "conv1",
        "flatten",
        "predictions",
    ]
    assert (
        arch.build_from_spec(spec, (6, 6, 1), 3).count_params()
        == 80 + (4 * 4 * 8 + 1) * 5 + (5 + 1) * 3
    )


def test_leaky_relu_is_its_own_layer_with_slope_one_tenth():
    spec = [{**CONV, "activation": "leaky_relu"}]
    model = arch.build_from_spec(spec, (5, 5, 1), 3)
    layer = model.get_layer("conv1_act")
    assert type(layer).__name__ == "LeakyReLU"
    out = np.asarray(layer(np.array([[-10.0, 10.0]], np.float32)))
    np.testing.assert_allclose(out, [[-1.0, 10.0]])


def test_apply_hyperparameters_does_not_change_its_input():
    spec = arch.preset_spec("fashion_cnn_leaky")
    before = copy.deepcopy(spec)
    out = arch.apply_hyperparameters(spec, dropout=0.2, batchnorm=True, activation="relu")
    assert spec == before
    assert all(r["rate"] == 0.2 for r in out if r["type"] == "dropout")
    assert sum(r["type"] == "batchnorm" for r in out) == 3


def test_describe_layer():
    rows = [
        (
            {"type": "conv2d", "filters": 8, "kernel": 5, "stride": 2},
            "conv 5×5, 8 filters, stride 2",
        ),
        ({"type": "avgpool", "kernel": 3, "stride": 1}, "average pool 3×3, stride 1"),
        ({"type": "dropout", "rate": 0.25}, "dropout 0.25"),
        ({"type": "dense", "units": 10}, "dense 10"),
    ]
    for row, text in rows:
        problems = []
        normal = normalize_row(1, row, problems)
        assert problems == [] and arch.describe_layer(normal) == text


def test_summary_table_of_other_models():
    import keras

    seq = keras.Sequential(
        [keras.Input((None, None, 3)), keras.layers.Conv2D(4, 3, name="c"), keras.layers.Dense(2)]
    )
    rows = arch.summary_table(seq)
    assert rows[0] == {"layer": "c", "type": "Conv2D", "output_shape": "?×?×4", "params": 112}
    unbuilt = keras.Sequential([keras.layers.Dense(3, name="d")])
    assert arch.summary_table(unbuilt) == [
        {"layer": "d", "type": "Dense", "output_shape": "?", "params": 0}
    ]


def test_mlp_is_learnopencvs_feedforward_network_with_its_dropout():
    # LearnOpenCV's feedforward post: Dense 512, Dense 512 on the 784 pixels, trained first
    # without dropout, then with Dropout(0.5) after each hidden layer.
    spec = arch.preset_spec("mlp")
    rates = [float(row["rate"]) for row in spec if row["type"] == "dropout"]
    assert rates == [0.5, 0.5]
    kinds = [row["type"] for row in spec]
    assert kinds == ["flatten", "dense", "dropout", "dense", "dropout"]
    text = arch.preset("mlp").help
    assert "LearnOpenCV" in text and "0.5" in text and "without dropout" in text
    assert "0.2" not in text
