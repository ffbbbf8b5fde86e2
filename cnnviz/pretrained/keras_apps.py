"""``keras.applications`` models of the catalogue, with logits out and the app's weight file.

The weights are loaded from the file the app itself manages (:func:`weights_path`, passed to
Keras as ``weights=str(path)``), so no private Keras setting is read to find Keras's cache.
"""

from __future__ import annotations

from cnnviz.errors import InputError
from cnnviz.pretrained.catalogue import public

# keras.applications.EfficientNet* with weights="imagenet" rescales the output of its input
# Normalization layer by 1 / sqrt(stddev) per RGB channel (keras-team/keras issue #49930);
# given a weight file, it leaves that layer out. Folding the factor into the Normalization's
# variance gives the same numbers: (x - m) / sqrt(v * s) = (x - m) / sqrt(v) / sqrt(s).
_EFFICIENTNET_STDDEV_RGB = (0.229, 0.224, 0.225)


def build_keras_application(name: str, weights: str | None = None):
    """Build a ``keras.applications`` model of the catalogue, with logits out.

    Args:
        name: a downloadable catalogue name.
        weights: ``"imagenet"`` (the file must already be in the Keras cache, see
            :func:`cnnviz.pretrained.download_weights`) or None for random weights (tests;
            no download).

    Returns:
        The Keras model, (N, h, w, 3) preprocessed input → (N, 1000) logits.

    Raises:
        InputError: not a ``keras.applications`` model, or its weight file is missing.
    """
    import keras

    entry = public().info(name)
    if entry.builder is None:
        raise InputError(f"{entry.title} is not a keras.applications model.")
    builder = getattr(keras.applications, entry.builder)
    if weights is None:
        return builder(weights=None, classifier_activation=None)
    if weights != "imagenet":
        raise InputError(f"Weights must be 'imagenet' or None, got {weights!r}.")
    if not public().is_cached(name):
        raise InputError(public().offline_message(name, "the file is not in the Keras cache"))
    model = builder(weights=str(public().weights_path(name)), classifier_activation=None)
    if entry.builder.startswith("EfficientNet"):
        _match_imagenet_normalization(model)
    return model


def _match_imagenet_normalization(model) -> None:
    """Give a freshly built EfficientNet what ``weights="imagenet"`` gives it (see above).

    Changes ``model`` in place; it is called before the model is shared with anyone.
    """
    import keras
    import numpy as np

    norm = next(ly for ly in model.layers if isinstance(ly, keras.layers.Normalization))
    variance = keras.ops.convert_to_numpy(norm.adapt_variance)
    stddev = np.asarray(_EFFICIENTNET_STDDEV_RGB, dtype=variance.dtype).reshape(variance.shape)
    norm.adapt_variance.assign(variance * stddev)
    norm.finalize_state()  # Normalization reads its variance through a cached constant
