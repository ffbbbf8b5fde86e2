"""The transfer model: a copy of the base cut below its classifier, then a new head.

The model is one flat functional network: the base's layers (a copy of the pretrained
model's, with their pretrained names, so the inspection pages can reach them), then the head
layers, named ``transfer_*``. BatchNorm layers of the base stay frozen, which in Keras 3 also
keeps them in inference mode, unless ``trainable_batchnorm`` unfreezes those among the
fine-tuned layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cnnviz.errors import InputError
from cnnviz.transfer.bases import SUFFIX, base_spec
from cnnviz.transfer.config import TransferConfig

if TYPE_CHECKING:
    import keras

HEAD_PREFIX = "transfer_"


def base_input_size(config: TransferConfig) -> tuple[int, int]:
    """(h, w) the base takes with these settings: ``config.input_size`` or the base's own."""
    if config.input_size is None:
        return base_spec(config.base).input_size
    return int(config.input_size), int(config.input_size)


def cut_layer_of(config: TransferConfig) -> str:
    """The layer the head sits on: ``config.cut_layer`` or the base's default."""
    return config.cut_layer or base_spec(config.base).cut_layer


def output_units(num_classes: int) -> tuple[int, str]:
    """(units, activation) of the output layer: one sigmoid unit for 1 or 2 classes."""
    if int(num_classes) < 1:
        raise InputError(f"A classifier needs at least two classes; got {num_classes}.")
    return (1, "sigmoid") if int(num_classes) <= 2 else (int(num_classes), "softmax")


def cut_layers(base: str, input_size: int | None = None) -> list[str]:
    """Names of the base's layers with a 4-D output, input side first: where a head can sit.

    Built with random weights when the base can be (no weight file is read).
    """
    import keras

    cfg = TransferConfig(base=base, input_size=input_size)
    cfg.validate()
    full = base_network(base_spec(base), base_input_size(cfg))
    return [
        layer.name
        for layer in full.layers
        if _is_4d(layer) and not isinstance(layer, keras.layers.InputLayer)
    ]


def _is_4d(layer) -> bool:
    try:
        return len(layer.output.shape) == 4
    except (AttributeError, ValueError):  # a layer used twice has no single output
        return False


def base_network(spec, size: tuple[int, int]):
    """The base's network at ``size`` with random weights, or the shared loaded one (read only)."""
    if spec.architecture is not None:
        return spec.architecture(tuple(size))
    return spec.load()


def cut_base(full, layer_name: str, title: str):
    """``full`` from its input to ``layer_name``'s output (shares ``full``'s layers)."""
    import keras

    try:
        layer = full.get_layer(layer_name)
    except ValueError:
        raise InputError(
            f"{title} has no layer {layer_name!r} to cut at; the Transfer page lists those "
            "with a 4-D output."
        ) from None
    if not _is_4d(layer):
        raise InputError(
            f"{title} cannot be cut at {layer_name!r}: its output is not a stack of feature "
            "maps (height, width, channels); choose a convolution stage."
        )
    return keras.Model(full.inputs, layer.output, name=f"{full.name}_base")


def _copy_weights(source, target) -> None:
    """Give ``target``'s layers the weights of ``source``'s layers of the same name."""
    import keras

    for layer in target.layers:
        if not layer.weights:
            continue
        layer.set_weights(source.get_layer(layer.name).get_weights())
        if isinstance(layer, keras.layers.Normalization):
            layer.finalize_state()  # Normalization reads its statistics through a constant


def build_model(config: TransferConfig, num_classes: int, seed: int = 0) -> keras.Model:
    """The whole network: a copy of the base cut below its classifier, then a new head.

    The shared pretrained model is never changed: its layers are cloned (same names, same
    weights). At another input size than the base's own the base is built again at that
    size (:attr:`BaseSpec.architecture`) and given the pretrained weights layer by layer
    (a convolution's weights do not depend on the image size). Trainable flags are set for
    ``config.mode`` (:func:`set_trainable`).

    Args:
        config: base, input size, cut layer, head and mode.
        num_classes: classes of the dataset (1 or 2 give one sigmoid unit).
        seed: seed of the head's initial weights.

    Returns:
        A functional model, (N, h, w, 3) float32 preprocessed as the base wants →
        (N, K) probabilities (softmax; K = 1 sigmoid unit for 2 classes).
    """
    import keras

    config.validate()
    output_units(num_classes)
    spec = base_spec(config.base)
    size = base_input_size(config)
    notop = spec.load_notop(size) if spec.load_notop is not None else None
    if notop is not None:  # the smaller _notop file, built at the size asked: its own layers
        return assemble(
            cut_base(notop, cut_layer_of(config), spec.title), config, num_classes, seed
        )
    full = spec.load()
    if size == spec.input_size:
        cut = cut_base(full, cut_layer_of(config), spec.title)
        base = keras.models.clone_model(cut)
        base.set_weights(cut.get_weights())
    elif spec.architecture is None:
        h, w = spec.input_size
        raise InputError(f"{spec.title} takes only its own {h}×{w} images.")
    else:
        base = cut_base(spec.architecture(size), cut_layer_of(config), spec.title)
        _copy_weights(full, base)
    return assemble(base, config, num_classes, seed)


def assemble(base, config: TransferConfig, num_classes: int, seed: int = 0) -> keras.Model:
    """Put the new head of ``config`` on ``base`` (a model ending at the cut layer).

    ``base``'s layers become the model's (they are not copied): pass a model of one's own.
    """
    import keras

    spec = base_spec(config.base)
    layers = keras.layers
    init = {"kernel_initializer": keras.initializers.GlorotUniform(seed=int(seed))}
    pool = (
        layers.GlobalAveragePooling2D(name=f"{HEAD_PREFIX}pool")
        if config.pooling == "avg"
        else layers.Flatten(name=f"{HEAD_PREFIX}flatten")
    )
    x = pool(base.outputs[0])
    if int(config.head_units) > 0:
        x = layers.Dense(
            int(config.head_units), activation="relu", name=f"{HEAD_PREFIX}dense", **init
        )(x)
    if float(config.head_dropout) > 0:
        x = layers.Dropout(
            float(config.head_dropout), seed=int(seed), name=f"{HEAD_PREFIX}dropout"
        )(x)
    units, activation = output_units(num_classes)
    out = layers.Dense(units, activation=activation, name=f"{HEAD_PREFIX}output", **init)(x)
    model = keras.Model(base.inputs, out, name=f"{spec.name}{SUFFIX}")
    set_trainable(model, config)
    return model


def is_head_layer(layer) -> bool:
    """True for the layers of the new head (named ``transfer_*``)."""
    return layer.name.startswith(HEAD_PREFIX)


def base_layers(model) -> list:
    """The base's layers of a transfer model, input first (input layer excluded)."""
    import keras

    return [
        layer
        for layer in model.layers
        if not is_head_layer(layer) and not isinstance(layer, keras.layers.InputLayer)
    ]


def set_trainable(model, config: TransferConfig) -> None:
    """Freeze the base for ``config.mode``: all of it, or all but the top layers.

    In ``"finetune"`` the top ``fine_tune_layers`` layers train, except BatchNorm layers,
    which stay frozen and so in inference mode (the Keras transfer-learning guide's rule)
    unless ``config.trainable_batchnorm`` is set. The head always trains.
    """
    import keras

    layers = base_layers(model)
    top = int(config.fine_tune_layers) if config.mode == "finetune" else 0
    unfrozen = set(id(layer) for layer in layers[len(layers) - top :]) if top else set()
    for layer in layers:
        trainable = id(layer) in unfrozen
        if isinstance(layer, keras.layers.BatchNormalization):
            trainable = trainable and bool(config.trainable_batchnorm)
        layer.trainable = trainable
    for layer in model.layers:
        if is_head_layer(layer):
            layer.trainable = True


def layer_table(model) -> list[dict]:
    """The base's layers with their state, for the page's layer list.

    Returns:
        One dict per base layer, input side first: ``layer, type, params, trainable``
        (``trainable`` False for frozen layers; layers without weights show their flag too).
    """
    rows = []
    for layer in base_layers(model):
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "params": int(sum(int(np.prod(w.shape)) for w in layer.weights)),
                "trainable": bool(layer.trainable),
            }
        )
    return rows


def parameter_counts(model) -> tuple[int, int]:
    """(trainable, non-trainable) weights, as ``model.summary()`` prints them."""
    trainable = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    total = int(sum(int(np.prod(w.shape)) for w in model.weights))
    return trainable, total - trainable


def summary_text(model) -> str:
    """The three parameter lines the courses print after ``model.summary()``."""
    trainable, frozen = parameter_counts(model)
    return (
        f"Total params: {trainable + frozen:,}\n"
        f"Trainable params: {trainable:,}\n"
        f"Non-trainable params: {frozen:,}"
    )


def model_input_size(model) -> tuple[int, int]:
    """(h, w) a model takes."""
    h, w = model.inputs[0].shape[1:3]
    return int(h), int(w)


def pool_layer(model):
    """The head's first layer (pooling or Flatten): its output is the features."""
    for name in (f"{HEAD_PREFIX}pool", f"{HEAD_PREFIX}flatten"):
        try:
            return model.get_layer(name)
        except ValueError:
            continue
    raise InputError("This is not a transfer model (no transfer_pool or transfer_flatten layer).")


def feature_extractor(model) -> keras.Model:
    """The frozen part of a transfer model: input → base → pooling (shares its layers)."""
    import keras

    return keras.Model(model.inputs, pool_layer(model).output, name="feature_extractor")


def head_model(model) -> keras.Model:
    """A copy of the head alone (pooled features → output), with the model's head weights."""
    import keras

    pool = pool_layer(model)
    inputs = keras.Input(tuple(int(v) for v in pool.output.shape[1:]), name="features")
    x = inputs
    for layer in model.layers[model.layers.index(pool) + 1 :]:
        clone = layer.__class__.from_config(layer.get_config())
        x = clone(x)
        clone.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name="transfer_head")


def train_head(
    model: keras.Model,
    features: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    callbacks: list | None = None,
    steps_per_execution: int = 1,
) -> keras.Model:
    """Train a transfer model's head alone on cached features, then put it back in the model.

    Args:
        model: a transfer model (:func:`build_model`); its head layers get the trained weights.
        features: (N, D) float32 pooled base outputs (:func:`extract_features`).
        labels: (N,) int class indices.
        epochs: passes over the features.
        batch_size: features per step.
        learning_rate: Adam's step.
        callbacks: Keras callbacks for ``fit`` (progress).
        steps_per_execution: steps run in one compiled call (an epoch's worth saves most
            of Keras's per-step Python overhead on a small head).

    Returns:
        The trained head (:func:`head_model`), already copied into ``model``.
    """
    import keras

    head = head_model(model)
    units = int(head.outputs[0].shape[-1])
    head.compile(
        optimizer=keras.optimizers.Adam(float(learning_rate)),
        loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy",
        steps_per_execution=max(1, int(steps_per_execution)),
    )
    head.fit(
        np.asarray(features, np.float32),
        np.asarray(labels),
        batch_size=int(batch_size),
        epochs=int(epochs),
        verbose=0,
        callbacks=callbacks or [],
    )
    copy_head_weights(head, model)
    return head


def copy_head_weights(head: keras.Model, model: keras.Model) -> None:
    """Put the weights of a trained :func:`head_model` back into the whole model."""
    for layer in head.layers:
        if is_head_layer(layer):
            model.get_layer(layer.name).set_weights(layer.get_weights())
