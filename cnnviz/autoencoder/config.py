"""Autoencoder settings: noise level, loss and width, and the course's training config."""

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


@dataclass(frozen=True)
class AutoencoderConfig(RunSettings):
    """How the denoising autoencoder is built and trained.

    Attributes:
        noise_level: standard deviation of the Gaussian noise added to 0..1 pixels before
            clipping (the course's ``noise_factor``, 0.5), in [0, 2].
        loss: ``"binary_crossentropy"`` (the course) or ``"mse"``, between the
            reconstruction and the clean image.
        filters: channels of every convolution (the course: 32), 1..128.
    """

    kind = KIND  # the run kind (and the TrainingConfig field) these settings are for

    noise_level: float = COURSE_NOISE
    loss: str = "binary_crossentropy"
    filters: int = 32

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
    """The course's settings: Adam at 1e-3, binary cross-entropy, noise 0.5.

    MNIST and Fashion-MNIST train with the course's batch of 128 (the course runs 50
    epochs; 10 already denoise well). The small offline ``digits`` set (1,438 images) uses
    batches of 32, so that 10 epochs are enough steps.

    Args:
        dataset_name: a ``cnnviz.datasets`` name.
        **autoencoder: :class:`AutoencoderConfig` fields to change.
    """
    return TrainingConfig(
        autoencoder=AutoencoderConfig(**autoencoder),
        learning_rate=1e-3,
        schedule="constant",
        batch_size=32 if dataset_name == "digits" else 128,
        epochs=10,
        validation_split=0.1,
    )
