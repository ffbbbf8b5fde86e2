"""One pretrained network at another input size: the same weights, a different input.

EfficientNet-Lite0 is convolutions, then global average pooling, then its classifier, so its
weights fit any square input; only what the network has learned to expect changes (it was
trained on 224 x 224 photos). Comparing its answers at two sizes needs no download.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cnnviz.errors import InputError
from cnnviz.pretrained.model import PretrainedModel

# EfficientNet halves the input five times: below 32 pixels the last maps would be empty.
MIN_INPUT_SIZE = 32
MAX_INPUT_SIZE = 512


def with_input_size(model: PretrainedModel, size: int) -> PretrainedModel:
    """The same network and weights reading ``size`` x ``size`` images.

    A new Keras model is built and given a copy of ``model``'s weights, so the shared model
    from :func:`cnnviz.pretrained.load` is never changed.

    Args:
        model: the bundled EfficientNet-Lite0 from :func:`cnnviz.pretrained.load`.
        size: height and width of the new input, from 32 to 512 pixels.

    Returns:
        A :class:`PretrainedModel` like ``model`` whose ``input_size`` is (size, size);
        ``model`` itself when it already has that size.

    Raises:
        InputError: a model other than the bundled one (the ``keras.applications``
            classifiers are built for one input size), or a size out of range.
    """
    spec = model.spec
    if spec is None or not spec.bundled:
        raise InputError(
            f"Only the bundled EfficientNet-Lite0 can be run at another input size here; "
            f"{model.title} keeps its {model.input_size[0]}×{model.input_size[1]}."
        )
    if not MIN_INPUT_SIZE <= size <= MAX_INPUT_SIZE:
        raise InputError(
            f"Input size {size} is out of range: choose {MIN_INPUT_SIZE} to {MAX_INPUT_SIZE} "
            "pixels."
        )
    if model.input_size == (size, size):
        return model
    from cnnviz.pretrained import efficientnet_lite

    keras_model = efficientnet_lite.build(size)
    keras_model.set_weights(model.model.get_weights())  # copies: the shared model is untouched
    keras_model.predict_on_batch(np.zeros((1, size, size, 3), dtype=np.float32))  # compile once
    return dataclasses.replace(
        model, model=keras_model, input_size=(size, size), info={**model.info}
    )
