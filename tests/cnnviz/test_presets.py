import pytest

from cnnviz import presets
from cnnviz.errors import InputError

EXAMPLES = [
    {"dataset": "digits", "arch": "mnist_cnn", "epochs": 3, "simple": True},
    {
        "dataset": "shapes",
        "size": 48,
        "images": 1200,
        "noise": 0.07,
        "epochs": 12,
        "batch": 64,
        "lr": 0.002,
        "optimizer": "sgd",
        "schedule": "constant",
        "val": 0.15,
        "dropout": 0.25,
        "patience": 3,
        "seed": 7,
        "flip": "horizontal",
        "rotation": 40.0,
        "width_shift": 0.2,
        "height_shift": 0.1,
        "shear": 10.0,
        "fill": "reflect",
        "zoom": 0.2,
        "contrast": 0.3,
        "simple": False,
    },
    {},
]


@pytest.mark.parametrize("settings", EXAMPLES)
def test_round_trip(settings):
    params = presets.to_params(settings)
    assert all(isinstance(v, str) for v in params.values())
    back, problems = presets.from_params(params)
    assert problems == []
    assert back == settings
    assert {type(v) for v in back.values()} <= {str, int, float, bool}
    assert presets.to_params(back) == params


def test_a_preset_never_carries_a_workspace():
    with pytest.raises(InputError, match="cannot hold ws"):
        presets.to_params({"ws": "secret-workspace-key-123456", "epochs": 3})
    settings, _ = presets.from_params({"ws": "secret-workspace-key-123456", "epochs": "3"})
    assert settings == {"epochs": 3}


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"epochs": "three"}, "epochs='three' is not a number"),
        ({"epochs": "2.5"}, "not a usable int"),
        ({"epochs": "1000"}, "outside"),
        ({"lr": "0.5"}, "not one of the choices"),
        ({"dataset": "<b>x</b>"}, "not one of the choices"),
        ({"noise": "nan"}, "not a usable float"),
        ({"simple": "maybe"}, "1 or 0"),
    ],
)
def test_bad_values_are_left_out_and_reported(params, problem):
    settings, problems = presets.from_params({**params, "arch": "mnist_cnn"})
    assert settings == {"arch": "mnist_cnn"}
    assert len(problems) == 1 and problem in problems[0]


def test_to_params_refuses_values_it_could_not_read_back():
    with pytest.raises(InputError):
        presets.to_params({"epochs": 0})
