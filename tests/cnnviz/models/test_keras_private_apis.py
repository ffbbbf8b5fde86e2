"""The two private Keras APIs cnnviz.models relies on: these fail first when Keras changes them."""

import keras
import numpy as np

L = keras.layers


def _functional():
    inputs = keras.Input((6, 6, 3))
    x = L.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    outputs = L.Dense(2, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs)


def test_keras_history_names_the_layer_that_made_an_output():
    model = _functional()
    assert model.outputs[0]._keras_history[0] is model.get_layer("dense")


def test_run_through_graph_replays_every_operation_in_order():
    model = _functional()
    seen = []

    def operation_fn(op):
        def run(*args, **kwargs):
            seen.append(op.name)
            return op(*args, **kwargs)

        return run

    x = np.random.default_rng(0).random((1, 6, 6, 3)).astype("float32")
    out = model._run_through_graph([keras.ops.convert_to_tensor(x)], operation_fn=operation_fn)
    out = out[0] if isinstance(out, (list, tuple)) else out
    assert seen == ["conv", "gap", "dense"]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(out), model.predict_on_batch(x), atol=1e-6
    )
