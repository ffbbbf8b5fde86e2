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


def build_keras_application(
    name: str,
    weights: str | None = None,
    *,
    include_top: bool = True,
    input_size: tuple[int, int] | None = None,
):
    """Build a ``keras.applications`` model of the catalogue, with logits out.

    Args:
        name: a downloadable catalogue name.
        weights: ``"imagenet"`` (the file must already be in the Keras cache, see
            :func:`cnnviz.pretrained.download_weights`) or None for random weights (tests;
            no download).
        include_top: False builds the convolutional base only (what ``keras.applications``
            returns with ``include_top=False``, same layer names), with random weights or,
            with ``weights="notop"``, those of :attr:`ModelInfo.notop_file` in the Keras
            cache.
        input_size: (height, width) of the input of a base built with
            ``include_top=False`` (default the model's own); Keras refuses sizes below
            the model's minimum (32, 71 for Xception, 75 for InceptionV3).

    Returns:
        The Keras model, (N, h, w, 3) preprocessed input → (N, 1000) logits, or with
        ``include_top=False`` → (N, h', w', C) feature maps of the last convolution stage.

    Raises:
        InputError: not a ``keras.applications`` model, or its weight file is missing.
    """
    import keras

    entry = public().info(name)
    if entry.builder is None:
        raise InputError(f"{entry.title} is not a keras.applications model.")
    builder = getattr(keras.applications, entry.builder)
    if not include_top:
        if weights not in (None, "notop"):
            raise InputError(f"A base alone takes weights None or 'notop', got {weights!r}.")
        path = None
        if weights == "notop":
            path = public().keras_models_dir() / entry.notop_file
            if not path.is_file():
                raise InputError(f"The file {path} is not there.")
        h, w = input_size or entry.input_size
        try:
            model = builder(
                include_top=False,
                weights=None if path is None else str(path),
                input_shape=(int(h), int(w), 3),
            )
        except ValueError as exc:  # Keras: "Input size must be at least 75x75; ..."
            raise InputError(f"{entry.title} cannot take {h}×{w} images: {exc}") from None
        if path is not None and entry.builder.startswith("EfficientNet"):
            _match_imagenet_normalization(model)
        return model
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
