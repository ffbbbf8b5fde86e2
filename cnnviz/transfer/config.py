"""Transfer settings: the pretrained base, the new head, and the mode that trains them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.models import preprocessing
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.training import Augmentation, RunSettings, TrainingConfig
from cnnviz.transfer.bases import base_spec

MODES = ("features", "frozen", "finetune")
#: The Transfer page's first dataset: few training images of figures among clutter, where
#: a network from scratch, the frozen base's features and fine-tuning differ
#: (``bench/transfer_ways.py``).
DEFAULT_DATASET = "few_shapes"
POOLINGS = ("avg", "flatten")
#: ``"base"``: pixels go through the base's own preprocessing (what it saw on ImageNet);
#: ``"rescale"``: pixels / 255, as the courses' ``ImageDataGenerator(rescale=1./255)`` does.
PREPROCESSINGS = ("base", "rescale")
PREPROCESSING_SENTENCE = (
    "The base's own preprocessing gives it pixels scaled as on ImageNet, so its features are "
    "the ones it learned; pixels / 255, as the courses write it, shifts every input the base "
    "sees, which usually costs a few points of accuracy and makes a course's figures "
    "comparable only with this choice."
)
MODE_TITLES = {
    "features": "Feature extraction (fast)",
    "frozen": "Frozen base with augmentation",
    "finetune": "Fine-tuning",
}
MODE_SENTENCES = {
    "features": (
        "Run the pretrained base once over your images and train only a small head on what "
        "it sees: the fastest way, and the place to start with few images."
    ),
    "frozen": (
        "Keep the base frozen but send every image through it at every step, so random "
        "flips and shifts (augmentation) can show the head more variety: slower, less "
        "overfitting."
    ),
    "finetune": (
        "Also retrain the top layers of the base with a small learning rate, so its most "
        "specific features adapt to your classes: the last few percent, once a head works."
    ),
}


@dataclass(frozen=True)
class TransferConfig(RunSettings):
    """A pretrained base, a new head, and how to train them.

    Attributes:
        base: a base name from :func:`bases` (default the bundled EfficientNet-Lite0).
        mode: ``"features"``, ``"frozen"`` or ``"finetune"`` (see the module docstring).
        fine_tune_layers: in ``"finetune"``, how many of the base's top layers train
            (BatchNorm layers among them stay frozen); ignored in the other modes.
        head_units: units of the head's hidden Dense layer (ReLU); 0 = no hidden layer.
        head_dropout: dropout rate before the output layer, in [0, 1).
        pooling: ``"avg"`` (global average pooling) or ``"flatten"`` (as the courses do
            with VGG16; many more head weights).
        head_epochs: in ``"finetune"``, epochs of head training on cached features before
            fine-tuning starts (0 = start from a fresh head).
        input_size: side of the square input the base takes, in pixels (None = the base's
            own, 224 for VGG16, 299 for InceptionV3); the courses use 150. Any size the
            base accepts (``BaseSpec.input_sizes``): the convolution weights fit every size.
        cut_layer: the base's layer whose output the head receives (None = the base's
            default, its last convolution stage); any layer with a 4-D output
            (:func:`~cnnviz.transfer.cut_layers` lists them), e.g. ``"mixed7"``.
        trainable_batchnorm: in ``"finetune"``, BatchNorm layers among the unfrozen ones
            train too (their scale and shift learn, and they normalise with each batch's
            statistics while training), as the Flowers notebook does; False keeps them
            frozen in inference mode (the Keras guide's rule).
        preprocessing: ``"base"`` (the base's own, see :data:`PREPROCESSINGS`) or
            ``"rescale"`` (pixels / 255, as the courses do).

    A binary problem has one sigmoid output unit (``Dense(1, activation="sigmoid")`` in the
    courses), whether it is described with 2 classes (a dataset's count) or 1 (the output
    units a course writes).
    """

    kind = "transfer"  # the run kind (and the TrainingConfig field) these settings are for

    base: str = pretrained.BUNDLED
    mode: str = "features"
    fine_tune_layers: int = 0
    head_units: int = 256
    head_dropout: float = 0.5
    pooling: str = "avg"
    head_epochs: int = 0
    input_size: int | None = None
    cut_layer: str | None = None
    trainable_batchnorm: bool = False
    preprocessing: str = "base"

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting."""
        if self.mode not in MODES:
            raise InputError(f"Transfer mode must be one of {', '.join(MODES)}; got {self.mode!r}.")
        if self.pooling not in POOLINGS:
            raise InputError(f"Pooling must be one of {', '.join(POOLINGS)}; got {self.pooling!r}.")
        spec = base_spec(self.base)
        if self.preprocessing not in PREPROCESSINGS:
            raise InputError(
                f"Preprocessing must be one of {', '.join(PREPROCESSINGS)}; "
                f"got {self.preprocessing!r}."
            )
        _check_input_size(self.input_size, spec)
        if self.cut_layer is not None and (
            not isinstance(self.cut_layer, str) or not self.cut_layer.strip()
        ):
            raise InputError(f"Cut layer must be a layer name of the base; got {self.cut_layer!r}.")
        if int(self.fine_tune_layers) < 0:
            raise InputError(f"Layers to fine-tune must be ≥ 0; got {self.fine_tune_layers}.")
        if self.mode == "finetune" and int(self.fine_tune_layers) < 1:
            raise InputError("Fine-tuning needs at least one unfrozen layer of the base.")
        if int(self.head_units) < 0:
            raise InputError(f"Head units must be ≥ 0; got {self.head_units}.")
        if not 0 <= float(self.head_dropout) < 1:
            raise InputError(f"Head dropout must be in [0, 1); got {self.head_dropout}.")
        if int(self.head_epochs) < 0:
            raise InputError(f"Head epochs must be ≥ 0; got {self.head_epochs}.")

    @property
    def architecture_name(self) -> str:
        """``"<base> (<mode>)"``: what the job calls the model."""
        return f"{self.base} ({self.mode})"


def transfer_preprocessing(config: TransferConfig) -> Preprocessing:
    """What the whole transfer model takes: the base's preprocessing, or pixels / 255."""
    if config.preprocessing == "rescale":
        return preprocessing.unit()
    return base_spec(config.base).preprocessing


def _check_input_size(size, spec) -> None:
    """Raise ``InputError`` unless ``size`` is None or a side the base ``spec`` accepts."""
    if size is None:
        return
    own = spec.input_size[0]
    if isinstance(size, bool) or not isinstance(size, (int, float)) or int(size) != size:
        raise InputError(f"Input size must be a whole number of pixels (e.g. 150); got {size!r}.")
    size = int(size)
    if spec.input_sizes is None:
        if size != own:
            raise InputError(
                f"Input size {size} is not possible: {spec.title} takes only its own "
                f"{own}×{own} images."
            )
        return
    low, high = spec.input_sizes
    if not low <= size <= high:
        raise InputError(
            f"Input size {size} is out of range for {spec.title}: choose {low} to {high} "
            f"pixels (its own is {own})."
        )


def recommended_config(mode: str = "features", base: str = pretrained.BUNDLED, **transfer):
    """A ``TrainingConfig`` that works out of the box for a transfer mode.

    Feature extraction and the frozen base use Adam at 1e-3 (only the head learns);
    fine-tuning uses 1e-4 with the top 20 layers, from a head trained first for 5 epochs
    on cached features, as the Keras guide does (some courses fine-tune a fresh head).
    """
    if mode == "finetune":
        transfer = {"fine_tune_layers": 20, "head_epochs": 5, **transfer}
        tcfg = TransferConfig(base=base, mode=mode, **transfer)
        return TrainingConfig(
            transfer=tcfg, learning_rate=1e-4, epochs=5, batch_size=16,
            augmentation=Augmentation(flip="horizontal"), schedule="constant",
        )  # fmt: skip
    tcfg = TransferConfig(base=base, mode=mode, **transfer)
    if mode == "frozen":
        return TrainingConfig(
            transfer=tcfg, learning_rate=1e-3, epochs=10, batch_size=16,
            augmentation=Augmentation(flip="horizontal", rotation_deg=20.0, zoom=0.1),
        )  # fmt: skip
    return TrainingConfig(transfer=tcfg, learning_rate=1e-3, epochs=20, batch_size=32)


def fine_tune_further(
    info: dict,
    model_id: str,
    *,
    fine_tune_layers: int,
    learning_rate: float = 1e-5,
    optimizer: str = "rmsprop",
    epochs: int = 10,
    batch_size: int = 20,
    trainable_batchnorm: bool | None = None,
    **training,
) -> TrainingConfig:
    """The course's second step: fine-tune a stored transfer model, keeping its trained head.

    The courses train the head on the frozen base, save the model, then unfreeze the top of
    the base (VGG16's block5: 4 layers) and train on at a small rate (RMSprop, 1e-5).

    Args:
        info: the stored model's metadata (``ModelStore.info``), with its ``"transfer"``
            settings.
        model_id: the stored model (``TrainingConfig.continue_from``).
        fine_tune_layers: layers of the base to unfreeze, counted from the top.
        learning_rate: the small step of the second step (the courses' 1e-5).
        optimizer: ``"rmsprop"`` as the courses, or ``"adam"`` / ``"sgd"``.
        epochs: passes over the training set.
        batch_size: images per step (the courses' 20). The schedule is constant unless
            ``schedule=`` is given among ``training``.
        trainable_batchnorm: None keeps the stored setting.
        **training: more :class:`TrainingConfig` fields (``augmentation``, ``seed``...).

    Raises:
        InputError: ``info`` is not a transfer model's metadata.
    """
    settings = info.get("transfer") if isinstance(info, dict) else None
    if not isinstance(settings, dict) or "base" not in settings:
        raise InputError("This stored model is not a transfer model: it has no transfer settings.")
    stored = TransferConfig.from_dict(settings)
    changes = {"mode": "finetune", "fine_tune_layers": int(fine_tune_layers), "head_epochs": 0}
    if trainable_batchnorm is not None:
        changes["trainable_batchnorm"] = bool(trainable_batchnorm)
    tcfg = replace(stored, **changes)
    cfg = TrainingConfig(
        transfer=tcfg, continue_from=str(model_id), learning_rate=float(learning_rate),
        optimizer=optimizer, epochs=int(epochs), batch_size=int(batch_size),
        **{"schedule": "constant", **training},
    )  # fmt: skip
    cfg.validate()
    return cfg
