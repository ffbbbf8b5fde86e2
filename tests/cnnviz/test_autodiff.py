import keras
import numpy as np
import pytest

from cnnviz import autodiff


def _np(t):
    return np.asarray(keras.ops.convert_to_numpy(t))


def test_backend_is_keras_backend():
    assert autodiff.backend() == keras.backend.backend()


@pytest.mark.parametrize(
    ("fn", "grad_of"),
    [
        (lambda x: keras.ops.sum(x**2), lambda x: 2 * x),
        (lambda x: keras.ops.sum(keras.ops.sin(x)), np.cos),
        # per-sample values are summed first: each sample gets its own gradient
        (lambda x: keras.ops.sum(x * x, axis=1), lambda x: 2 * x),
        (lambda x: keras.ops.mean(x), lambda x: np.full_like(x, 1 / x.size)),
    ],
)
def test_value_and_grad_matches_analytic(fn, grad_of):
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    value, grad = autodiff.value_and_grad(fn, x)
    np.testing.assert_allclose(_np(grad), grad_of(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(_np(value)), float(np.sum(_np(fn(x)))), rtol=1e-5)


def test_argnum_and_aux():
    a = np.array([1.0, 2.0], np.float32)
    b = np.array([3.0, 5.0], np.float32)

    def fn(a, b):
        return keras.ops.sum(a * b), (a + b, b * 2)

    (value, (s, d)), grad = autodiff.value_and_grad(fn, a, b, argnum=1, has_aux=True)
    assert float(_np(value)) == pytest.approx(13.0)
    np.testing.assert_allclose(_np(grad), a)
    np.testing.assert_allclose(_np(s), a + b)
    np.testing.assert_allclose(_np(d), b * 2)


def test_gradient_of_unused_argument_is_zero():
    a = np.ones(3, np.float32)
    b = np.ones(3, np.float32)
    _, grad = autodiff.value_and_grad(lambda a, b: keras.ops.sum(b), a, b)
    np.testing.assert_array_equal(_np(grad), np.zeros(3))


def test_has_aux_requires_pair():
    with pytest.raises(ValueError, match="pair"):
        autodiff.value_and_grad(lambda x: keras.ops.sum(x), np.ones(2, np.float32), has_aux=True)


def test_gradient_through_a_keras_model_and_inputs_unchanged():
    dense = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")
    model = keras.Sequential([keras.Input((3,)), dense])
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    before = x.copy()
    _, grad = autodiff.value_and_grad(lambda x: keras.ops.sum(model(x)), x)
    np.testing.assert_allclose(_np(grad), np.ones((1, 3)))
    np.testing.assert_array_equal(x, before)


def test_compiled_function_matches_eager_and_reuses_for_new_batch_sizes():
    def step(x, w):
        return autodiff.value_and_grad(lambda x, w: keras.ops.sum(x * w) ** 2, x, w)

    compiled = autodiff.compile_function(step)
    for n in (2, 5, 2):
        x = np.arange(n * 3, dtype=np.float32).reshape(n, 3) / 10
        w = np.full((n, 3), 0.5, np.float32)
        v1, g1 = step(keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(w))
        v2, g2 = compiled(x, w)
        np.testing.assert_allclose(_np(v1), _np(v2), rtol=1e-5)
        np.testing.assert_allclose(_np(g1), _np(g2), rtol=1e-5)
