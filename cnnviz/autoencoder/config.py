"""Autoencoder settings: network, noise level, loss and width, and the course's run."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.errors import InputError
from cnnviz.training import RunSettings, TrainingConfig

KIND = "autoencoder"
"""``meta["kind"]`` of a stored autoencoder."""
ARCHITECTURE = "denoising_autoencoder"
LOSSES = ("binary_crossentropy", "mse")
LOSS_TITLES = {
    "binary_crossentropy": "Binary cross-entropy (the course)",
    "mse": "Mean squared error",
}
COURSE_NOISE = 0.5
MAX_NOISE = 2.0
NETWORKS = ("course", "light")
"""``"course"``: LearnOpenCV's network (the default); ``"light"``: lighter, not the course's."""
VALIDATIONS = ("test", "split")
"""``"test"``: on the noisy test set (the course); ``"split"``: on held-out training images."""


@dataclass(frozen=True)
class CourseRun:
    """The course's own run (LearnOpenCV's Keras denoising autoencoder on MNIST), as printed.

    Attributes:
        course: the course and the section.
        dataset: what it trained on, and ``train_images`` how many.
        params: parameters of its network for 28 × 28 × 1 images.
        epochs, batch_size, noise_level, optimizer, loss_name: its training settings.
        loss, val_loss: the training and validation losses it printed after the last epoch.
    """

    course: str = "LearnOpenCV, Understanding autoencoders (Keras, denoising MNIST)"
    dataset: str = "MNIST"
    train_images: int = 60_000
    test_images: int = 10_000
    params: int = 37_601
    epochs: int = 25
    batch_size: int = 64
    noise_level: float = COURSE_NOISE
    optimizer: str = "adam"
    loss_name: str = "binary_crossentropy"
    loss: float = 0.1196
    val_loss: float = 0.1171


COURSE = CourseRun()


@dataclass(frozen=True)
class AutoencoderConfig(RunSettings):
    """How the denoising autoencoder is built and trained.

    Attributes:
        noise_level: standard deviation of the Gaussian noise added to 0..1 pixels before
            clipping (the course's ``noise_factor``, 0.5), in [0, 2].
        loss: ``"binary_crossentropy"`` (the course) or ``"mse"``, between the
            reconstruction and the clean image.
        filters: channels of every convolution (the course: 32), 1..128.
        network: ``"course"`` (LearnOpenCV's: leaky ReLU 0.1, an extra convolution at the
            bottleneck, linear transposed convolutions; 37,601 parameters on 28 × 28 × 1)
            or ``"light"`` (ReLU throughout, no extra convolution: 28,353; not the course's).
        validation: ``"test"`` validates on the noisy test set, as the course does (the
            training config's ``validation_split`` then holds nothing out: set it to 0);
            ``"split"`` on the training images the config's ``validation_split`` holds out.
    """

    kind = KIND  # the run kind (and the TrainingConfig field) these settings are for

    noise_level: float = COURSE_NOISE
    loss: str = "binary_crossentropy"
    filters: int = 32
    network: str = "course"
    validation: str = "test"

    def validate(self) -> None:
        """Raise ``InputError`` naming the first unusable setting."""
        if not (0.0 <= float(self.noise_level) <= MAX_NOISE):
            raise InputError(
                f"Noise level must be between 0 and {MAX_NOISE:g}; got {self.noise_level}."
            )
        if self.loss not in LOSSES:
            raise InputError(f"Loss must be one of {', '.join(LOSSES)}; got {self.loss!r}.")
        if not (1 <= int(self.filters) <= 128):
            raise InputError(f"Filters must be between 1 and 128; got {self.filters}.")
        if self.network not in NETWORKS:
            raise InputError(f"Network must be one of {', '.join(NETWORKS)}; got {self.network!r}.")
        if self.validation not in VALIDATIONS:
            raise InputError(
                f"Validation must be one of {', '.join(VALIDATIONS)}; got {self.validation!r}."
            )

    @property
    def architecture_name(self) -> str:
        """What the job calls the model: ``"denoising autoencoder"``."""
        return "denoising autoencoder"


#: The datasets the lesson's network takes (28 × 28 grayscale, pooled twice to 7 × 7), with
#: the options each is loaded with whatever the picker says: scikit-learn's 8 × 8 digits are
#: upscaled to 28 × 28 and framed like MNIST.
DATASETS: dict[str, dict] = {"digits": {"upscale": 28}, "mnist": {}, "fashion_mnist": {}}


def is_autoencoder(meta: dict | None) -> bool:
    """True for the store metadata of an autoencoder."""
    return isinstance(meta, dict) and meta.get("kind") == KIND


def recommended_config(dataset_name: str = "mnist", **autoencoder):
    """The course's run (see :data:`COURSE`), for any dataset.

    Its network, Adam at 1e-3, binary cross-entropy, noise 0.5, batch 64, 25 epochs,
    validated on the noisy test set.

    The same for every dataset: on the small offline ``digits`` set (1,438 training
    images) 25 epochs of batch 64 are about 575 steps, enough to denoise well.

    Args:
        dataset_name: a ``cnnviz.datasets`` name (kept for callers; the settings are the
            course's whatever the dataset).
        **autoencoder: :class:`AutoencoderConfig` fields to change.
    """
    settings = AutoencoderConfig(**autoencoder)
    return TrainingConfig(
        autoencoder=settings,
        optimizer=COURSE.optimizer,
        learning_rate=1e-3,
        schedule="constant",
        batch_size=COURSE.batch_size,
        epochs=COURSE.epochs,
        validation_split=0.0 if settings.validation == "test" else 0.1,
    )
