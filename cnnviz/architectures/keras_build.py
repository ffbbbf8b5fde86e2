"""Keras models from a spec, and the summary table of a built model."""

from __future__ import annotations

from collections.abc import Sequence

from cnnviz.architectures.rows import LEAKY_SLOPE, SEPARATE_ACTIVATIONS
from cnnviz.architectures.shapes import check_classes, check_input_shape, format_shape, walk_spec
from cnnviz.errors import InputError


def build_from_spec(
    spec: Sequence[dict],
    input_shape: Sequence[int],
    num_classes: int,
    *,
    name: str = "custom",
    seed: int | None = None,
) -> object:
    """Build an uncompiled Keras model from a layer table.

    Args:
        spec: list of layer rows (see the module docstring); not modified.
        input_shape: (H, W, C) of the images the model takes (already scaled, e.g. 0..1).
        num_classes: number of classes (≥ 2); two classes give one sigmoid unit.
        name: the model's name.
        seed: seeds the weight initialisers (layer by layer) for a reproducible start.

    Returns:
        A functional ``keras.Model`` whose layers are named ``conv1``, ``pool1``, ...,
        ``dense1``, ``predictions``.

    Raises:
        InputError: when the table does not fit the input (the message names the layer).
    """
    import keras

    shape = check_input_shape(input_shape)
    classes = check_classes(num_classes)
    layers, rows, problems = walk_spec(spec, shape, classes)
    if problems:
        raise InputError(" ".join(problems))
    by_name = iter(rows)
    counter = iter(range(1_000_000))

    def init():
        if seed is None:
            return "glorot_uniform"
        return keras.initializers.GlorotUniform(seed=int(seed) * 1000 + next(counter))

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for layer in [*layers, None]:
        kind = None if layer is None else layer["type"]
        if kind in ("dense", None) and len(x.shape) == 4:
            x = keras.layers.Flatten(name=next(by_name)["layer"])(x)
        if kind is None:
            break
        row = next(by_name)
        separate = layer.get("activation") in SEPARATE_ACTIVATIONS
        activation = "linear" if separate else layer.get("activation")
        l1, l2 = float(layer.get("l1") or 0.0), float(layer.get("l2") or 0.0)
        regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if l1 > 0 or l2 > 0 else None
        if kind == "conv2d":
            x = keras.layers.Conv2D(
                layer["filters"],
                layer["kernel"],
                strides=layer["stride"],
                padding=layer["padding"],
                activation=activation,
                kernel_initializer=init(),
                kernel_regularizer=regularizer,
                name=row["layer"],
            )(x)
        elif kind in ("maxpool", "avgpool"):
            pool = keras.layers.MaxPooling2D if kind == "maxpool" else keras.layers.AveragePooling2D
            x = pool(
                layer["kernel"],
                strides=layer["stride"],
                padding=layer["padding"],
                name=row["layer"],
            )(x)
        elif kind == "globalavgpool":
            x = keras.layers.GlobalAveragePooling2D(name=row["layer"])(x)
        elif kind == "flatten":
            x = keras.layers.Flatten(name=row["layer"])(x)
        elif kind == "dropout":
            x = keras.layers.Dropout(layer["rate"], name=row["layer"])(x)
        elif kind == "batchnorm":
            x = keras.layers.BatchNormalization(name=row["layer"])(x)
        elif kind == "dense":
            x = keras.layers.Dense(
                layer["units"],
                activation=activation,
                kernel_initializer=init(),
                kernel_regularizer=regularizer,
                name=row["layer"],
            )(x)
        if separate and layer["activation"] == "leaky_relu":
            x = keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=next(by_name)["layer"])(x)
        elif separate:
            shared = [1, 2] if len(x.shape) == 4 else None
            x = keras.layers.PReLU(shared_axes=shared, name=next(by_name)["layer"])(x)
    units, activation = (1, "sigmoid") if classes == 2 else (classes, "softmax")
    outputs = keras.layers.Dense(
        units, activation=activation, kernel_initializer=init(), name="predictions"
    )(x)
    return keras.Model(inputs, outputs, name=name)


def summary_table(model) -> list[dict]:
    """The live summary table of a built model.

    Args:
        model: a Keras model (not modified).

    Returns:
        One dict per layer, input first: ``layer`` (name), ``type`` (Keras class name),
        ``output_shape`` (e.g. ``"26×26×32"``, batch axis left out), ``params`` (int, trained
        and untrained weights).
    """
    rows = []
    for layer in model.layers:
        try:
            output = layer.output
        except (AttributeError, ValueError):  # a layer never called (e.g. unbuilt model)
            output = None
        outputs = output if isinstance(output, (list, tuple)) else [output]
        shapes = [
            "?" if o is None else format_shape(["?" if d is None else d for d in o.shape[1:]])
            for o in outputs
        ]
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output_shape": ", ".join(shapes),
                "params": int(layer.count_params()) if layer.built else 0,
            }
        )
    return rows
