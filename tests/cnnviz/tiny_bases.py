"""Tiny 'ImageNet' models built in code, to stand in for a pretrained base in the tests."""

import numpy as np


def tiny_imagenet(size: int = 16, seed: int = 1, *, second_bn: bool = True, positive: bool = False):
    """A (size, size, 3) → 10-logit model: two conv stages with BatchNorm, then a classifier.

    Layers ``conv1, bn1, act1, conv2, [bn2], act2, avg_pool, predictions``: a base cut at
    ``act2`` has 4 + 8 filters (conv2 strides 2).

    Args:
        size: the input's side in pixels.
        seed: Keras' seed for the random weights.
        second_bn: put ``bn2`` after ``conv2``.
        positive: make the kernels positive (|k| / 4), so that the features follow the
            images' brightness (a base any brightness task can be learned from).
    """
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3), name="input")
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.ReLU(name="act1")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", name="conv2")(x)
    if second_bn:
        x = keras.layers.BatchNormalization(name="bn2")(x)
    x = keras.layers.ReLU(name="act2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs, outputs, name="tiny")
    if positive:
        for name in ("conv1", "conv2"):
            kernel, bias = model.get_layer(name).get_weights()
            model.get_layer(name).set_weights([np.abs(kernel) / 4, bias])
    return model
