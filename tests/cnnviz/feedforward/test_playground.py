"""The Playground learns XOR and the spiral with its default settings; a line cannot.

Seeds are fixed; the figures in the comments are the test accuracies measured after 60
epochs of the default run (x, y, sin x, sin y → 8 → 8 tanh → 1, Adam 0.03, batches of 10).
"""

import dataclasses

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.feedforward import Network, Playground, PlaygroundConfig


@pytest.mark.parametrize("dataset", ["xor", "spiral"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_default_network_learns_xor_and_the_spiral(dataset, seed):
    # Measured, seeds 0-4: XOR 1.0, 1.0, 1.0, 0.996, 0.996; spiral 0.992, 0.984, 1.0,
    # 0.988, 0.996.
    run = Playground(dataclasses.replace(PlaygroundConfig(), dataset=dataset, seed=seed))
    run.train(60)
    assert run.accuracy("test") >= 0.95
    assert run.test_loss[-1] < run.test_loss[0]
    assert len(run.train_loss) == len(run.test_loss) == run.epoch == 60


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_line_fails_on_the_spiral(seed):
    # Measured, seeds 0-4: 0.612, 0.588, 0.572, 0.592, 0.556 (chance is 0.5).
    config = dataclasses.replace(PlaygroundConfig(), dataset="spiral", seed=seed).linear()
    assert config.hidden == () and config.features == ("x", "y")
    run = Playground(config)
    run.train(60)
    assert run.network.parameter_count == 3
    assert run.accuracy("test") < 0.7


def test_the_grid_holds_every_neuron_and_the_output_as_probabilities():
    run = Playground(PlaygroundConfig(hidden=(3, 2)))
    layers = run.grid(20)
    assert [a.shape for a in layers] == [(20, 20, 3), (20, 20, 2), (20, 20, 1)]
    assert layers[-1].min() >= 0 and layers[-1].max() <= 1
    assert run.input_maps(20).shape == (20, 20, 4)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    for activation in ("tanh", "sigmoid", "relu", "linear"):
        net = Network.create(3, (4, 3), activation, seed=1)
        x, y = rng.normal(size=(7, 3)), rng.integers(0, 2, 7)
        _, grad_w, _ = net.gradients(x, y, l2=0.01)
        w = net.weights[0]
        i, j, h = 1, 2, 1e-6
        w[i, j] += h
        up = net.gradients(x, y, l2=0.01)[0]
        w[i, j] -= 2 * h
        down = net.gradients(x, y, l2=0.01)[0]
        w[i, j] += h
        assert grad_w[0][i, j] == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-8)


def test_the_settings_travel_in_a_link_and_come_back_the_same():
    config = PlaygroundConfig(
        dataset="circle", noise=15, train_percent=70, features=("x2", "y2", "xy"),
        hidden=(4, 2, 1), activation="relu", learning_rate=0.003, l2=0.001, batch_size=30,
        seed=42,
    )  # fmt: skip
    params = config.to_params()
    assert all(isinstance(v, str) for v in params.values())
    assert PlaygroundConfig.from_params(params) == config
    assert PlaygroundConfig.from_params({}) == PlaygroundConfig()
    assert PlaygroundConfig.from_params({"hidden": ""}).hidden == ()
    assert PlaygroundConfig.from_params({"utm_source": "mail"}) == PlaygroundConfig()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"set": "moons"}, "Unknown point set 'moons'"),
        ({"lr": "fast"}, "The link's 'lr' should be a number, not 'fast'"),
        ({"noise": "1.5"}, "'noise' should be a whole number"),
        ({"noise": "90"}, "noise must be 0 to 50"),
        ({"hidden": "8,x"}, "'hidden' should be neuron counts like 8,8"),
        ({"hidden": "9"}, "1 to 8 neurons"),
        ({"features": "x,cos"}, "Unknown input feature 'cos'"),
        ({"features": ""}, "at least one input feature"),
        ({"activation": "swish"}, "Unknown activation 'swish'"),
        ({"batch": "0"}, "batch size must be 1 to 500"),
    ],
)
def test_a_bad_link_says_what_is_wrong(params, message):
    with pytest.raises(InputError, match=message):
        PlaygroundConfig.from_params(params)
