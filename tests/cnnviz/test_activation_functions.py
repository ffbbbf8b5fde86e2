import numpy as np
import pytest

from cnnviz import activation_functions as af
from cnnviz import architectures, autodiff
from cnnviz.errors import InputError

# Points away from the kinks at 0 (ReLU family), where a derivative is one-sided.
X = np.concatenate([np.linspace(-6, -0.05, 40), np.linspace(0.05, 6, 40)]).astype("float32")


@pytest.mark.parametrize("name", list(af.FUNCTIONS))
@pytest.mark.parametrize("slope", [0.01, 0.3])
def test_derivative_matches_the_keras_gradient(name, slope):
    fn = af.keras_function(name, slope)
    value, grad = autodiff.value_and_grad(lambda t: fn(t), X)
    _, f, d = af.curves(name, X.astype(np.float64), slope)
    np.testing.assert_allclose(np.asarray(grad), d, atol=2e-5)
    # and the function itself
    np.testing.assert_allclose(float(np.asarray(value)), f.sum(), rtol=1e-4, atol=1e-3)


def test_saturating_functions_vanish_and_relu_does_not():
    for name in ("sigmoid", "tanh"):
        _, _, d = af.curves(name, np.array([-6.0, 6.0]))
        assert af.FUNCTIONS[name].saturates and (d < 0.01).all()
    assert af.curves("relu", np.array([6.0]))[2][0] == 1.0
    # At best 0.25 per sigmoid layer: 10 layers leave under a millionth of the gradient.
    assert af.gradient_through_layers("sigmoid", 0.0, 10) == pytest.approx(0.25**10)
    assert af.gradient_through_layers("relu", 1.0, 10) == 1.0


def test_leaky_slope_is_used_and_checked():
    _, f, d = af.curves("leaky_relu", np.array([-2.0, 3.0]), slope=0.2)
    np.testing.assert_allclose(f, [-0.4, 3.0])
    np.testing.assert_allclose(d, [0.2, 1.0])
    with pytest.raises(InputError, match="slope"):
        af.curves("leaky_relu", slope=2)
    with pytest.raises(InputError, match="Unknown activation"):
        af.get("softsign")


def test_every_function_can_be_used_in_the_layer_table():
    for fn in af.FUNCTIONS.values():
        assert fn.layer_name in architectures.ACTIVATIONS


# --- the registry ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(af.FUNCTIONS))
def test_every_registered_function_is_complete(name):
    fn = af.FUNCTIONS[name]
    assert fn is af.get(name) is af.REGISTRY.get(name) and fn.name == fn.key == name
    assert fn.title and fn.formula == fn.help
    row = af.slope_rows([name], 0.1)[0]
    assert row["function"] == fn.title and row["formula"] == fn.formula
    d = af.curves(name, np.array([0.0, 5.0, -5.0]), 0.1)[2]
    assert [row["slope at 0"], row["slope at 5"], row["slope at −5"]] == pytest.approx(d)
    by_depth = af.gradient_by_depth(name, 1.0, 4, 0.1)
    assert by_depth.shape == (4,)
    assert by_depth[-1] == pytest.approx(abs(af.gradient_through_layers(name, 1.0, 4, 0.1)))


def test_linear_is_listed_with_slope_one_everywhere():
    # The courses' output layers and "no activation" layers use Keras's "linear".
    assert "linear" in [f.name for f in af.FUNCTIONS.values()]
    fn = af.get("linear")
    assert fn.layer_name == "linear" and not fn.saturates
    x, f, d = af.curves("linear", np.array([-3.0, 0.0, 2.5]))
    np.testing.assert_allclose(f, x)
    np.testing.assert_allclose(d, [1.0, 1.0, 1.0])
    assert af.gradient_through_layers("linear", -4.0, 30) == 1.0
