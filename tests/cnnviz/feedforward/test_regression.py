"""Linear regression: gradient descent reaches numpy's least squares; the data is named."""

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.feedforward import errors, fit_linear, housing_data, regression


def _least_squares(x, y):
    mean, std = x.mean(axis=0), x.std(axis=0)
    design = np.c_[(x - mean) / std, np.ones(len(x))]
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return solution[:-1], solution[-1]


def test_an_exact_linear_target_gives_back_its_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 0.0]
    y = x @ np.array([2.0, -0.5, 30.0]) + 7.0
    before = x.copy()
    fit = fit_linear(x, y)
    weights, bias = _least_squares(x, y)
    np.testing.assert_allclose(fit.weights, weights, atol=1e-6)
    assert fit.bias == pytest.approx(bias)
    np.testing.assert_allclose(fit.predict(x), y, atol=1e-5)
    assert fit.loss[-1] < 1e-9 < fit.loss[0]
    assert np.array_equal(x, before)


def _fake_boston(path, rng):
    x = np.abs(rng.normal(size=(506, 13))) * 10
    y = x @ rng.normal(size=13) * 0.1 + 22 + rng.normal(size=506)
    np.savez(path, x=x, y=y)
    return x, y


def test_keras_boston_file_gives_14_parameters_split_as_keras(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    x, _y = _fake_boston(tmp_path / "datasets" / "boston_housing.npz", np.random.default_rng(1))
    data = housing_data()
    assert data.key == "boston_housing" and data.parameter_count == 14
    assert data.x_train.shape == (404, 13) and data.x_test.shape == (102, 13)
    # keras.datasets.boston_housing.load_data(): RandomState(113) shuffles, last 20 % test.
    order = np.arange(506)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(data.x_test, x[order][404:])
    fit = fit_linear(data.x_train, data.y_train)
    np.testing.assert_allclose(fit.weights, _least_squares(data.x_train, data.y_train)[0],
                               atol=1e-6)  # fmt: skip
    mae = errors(fit, data)
    assert mae["model"]["test"] < mae["baseline"]["test"] / 2


def test_without_the_keras_file_the_offline_table_says_what_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(regression, "FALLBACK_HOME", tmp_path / "none")
    data = housing_data()
    assert data.key == "diabetes" and data.parameter_count == 11
    assert len(data.feature_names) == data.x_train.shape[1] == 10
    assert "offline" in data.title
    mae = errors(fit_linear(data.x_train, data.y_train), data)
    assert mae["model"]["test"] < 0.8 * mae["baseline"]["test"]


def test_a_wrong_file_or_shape_is_refused(tmp_path):
    np.savez(tmp_path / "b.npz", x=np.zeros((5, 3)), y=np.zeros(5))
    with pytest.raises(InputError, match="shape"):
        regression.load_boston(tmp_path / "b.npz")
    with pytest.raises(InputError, match="Expected x"):
        fit_linear(np.zeros((5, 2)), np.zeros(4))
