"""The ``"autoencoder"`` run kind: the images are their own targets.

Registered in :data:`cnnviz.training.RUN_KINDS` when :mod:`cnnviz.autoencoder` is imported.
Noise is drawn fresh for every batch inside a training-only wrapper; the saved model is the
plain autoencoder, with ``"kind": "autoencoder"`` in its metadata.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz.autoencoder.config import ARCHITECTURE, KIND, AutoencoderConfig
from cnnviz.autoencoder.denoise import denoise
from cnnviz.autoencoder.model import BOTTLENECK, build_model
from cnnviz.autoencoder.noise import noise_layer_class, per_image_loss, reconstruction_loss
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.training import RUN_KINDS, KindRun, RunKind, TrainingConfig


@dataclass
class ReconstructionEvaluation:
    """Test-set results of an autoencoder (what the job stores as ``test_metrics``).

    Attributes:
        loss: the training loss on freshly noised test images.
        mse_model: mean squared error of the reconstructions against the clean images.
        mse_noisy: the same for the noisy inputs themselves (the do-nothing baseline).
        mse_blur: the same for the best Gaussian blur of them (see :func:`blur_baseline`).
        samples: test images.
        noise_level: the noise they were evaluated at.
    """

    loss: float
    mse_model: float
    mse_noisy: float
    mse_blur: float
    samples: int
    noise_level: float
    accuracy: float = math.nan  # an autoencoder has none; the job's result reads it

    def metrics(self) -> dict:
        """JSON-ready form (no ``accuracy`` key: pages that list accuracies skip it)."""
        return {
            "loss": self.loss,
            "mse": self.mse_model,
            "mse_noisy_baseline": self.mse_noisy,
            "mse_blur_baseline": self.mse_blur,
            "samples": self.samples,
            "noise_level": self.noise_level,
        }

    def summary(self) -> str:
        """A few words for the job's last event."""
        return (
            f"test reconstruction error (MSE) {self.mse_model:.4f}, against "
            f"{self.mse_noisy:.4f} for the noisy input itself"
        )


class AutoencoderRun(KindRun):
    """One job's denoising autoencoder: noisy images in, the clean ones as targets.

    Args:
        config: the job's training config (``config.autoencoder`` says noise and loss).
        model: the autoencoder (:func:`~cnnviz.autoencoder.build_model`).
        preprocessing: pixels / 255.
    """

    def __init__(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> None:
        super().__init__(config, model, preprocessing)
        self.settings: AutoencoderConfig = config.autoencoder
        self.train_images = 0  # set when fit gets its inputs
        self.settings.validate()

    @property
    def loss(self):
        """The compiled loss (uint8 clean targets against reconstructions)."""
        return reconstruction_loss(self.settings.loss)

    def fit_model(self, input_shape: tuple) -> keras.Model:
        """uint8 pixels → 0..1 → fresh clipped noise (every batch) → the autoencoder."""
        h, w, c = (int(v) for v in input_shape)
        inputs = keras.Input((h, w, c), dtype="uint8", name="pixels")
        x = self.preprocessing.apply(inputs, ops=keras.ops)
        level, seed = self.settings.noise_level, int(self.config.seed)
        noisy = noise_layer_class()(level, seed=seed, name="noise")(x)
        return keras.Model(inputs, self.model(noisy), name="denoising_wrapper")

    def compile(self, fit_model: keras.Model, optimizer, num_classes: int) -> None:
        """The reconstruction loss only (no classes, no accuracy)."""
        fit_model.compile(optimizer=optimizer, loss=self.loss)

    def fit_inputs(self, job, x_train, y_train, x_val, y_val):
        """The images are their own targets (the noise is added inside the wrapper).

        With ``validation="test"`` (the course) the validation data is the test set, noised
        inside the wrapper like the training batches (fresh noise at every epoch).
        """
        self.train_images = len(x_train)
        if self.settings.validation == "test":
            x_test = np.asarray(job.dataset.x_test)
            if len(x_test):
                return x_train, x_train, x_test, x_test
        return x_train, x_train, x_val, x_val

    def evaluate(self, job) -> ReconstructionEvaluation:
        """Loss and errors on the test set, noised once with a fixed seed."""
        x = np.asarray(job.dataset.x_test)
        level = float(self.settings.noise_level)
        result = denoise(self.model, x, level, seed=int(self.config.seed) + 1)
        losses = per_image_loss(result.clean, result.reconstructed, self.settings.loss)
        mean = lambda a: float(np.mean(a)) if len(a) else math.nan  # noqa: E731
        return ReconstructionEvaluation(
            loss=mean(losses),
            mse_model=mean(result.mse_model),
            mse_noisy=mean(result.mse_noisy),
            mse_blur=mean(result.mse_blur),
            samples=len(x),
            noise_level=level,
        )

    def summary(self, evaluation: ReconstructionEvaluation, seconds: float) -> str:
        """The reconstruction error against the noisy input's, and the time."""
        return f"{evaluation.summary()}, after {seconds:.0f} s"

    def metadata(self) -> dict:
        """What the store keeps: the kind (so classifier pages skip it) and the settings."""
        shape = [int(v) for v in self.model.get_layer(BOTTLENECK).output.shape[1:]]
        return {
            "kind": KIND,
            "architecture": ARCHITECTURE,
            "autoencoder": {
                **self.settings.to_dict(),
                "bottleneck_shape": shape,
                "train_images": int(self.train_images),
            },
        }


@dataclass(frozen=True)
class AutoencoderKind(RunKind):
    """The course's denoising autoencoder (``TrainingConfig(autoencoder=...)``)."""

    def build(self, config: TrainingConfig, input_shape: tuple, num_classes: int):
        """The course's network (or the lighter one) for the dataset's image shape."""
        settings = config.autoencoder
        return build_model(
            tuple(input_shape),
            int(settings.filters),
            seed=int(config.seed),
            network=settings.network,
        )

    def start(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> AutoencoderRun:
        """An :class:`AutoencoderRun`."""
        return AutoencoderRun(config, model, preprocessing)


AUTOENCODER_KIND = RUN_KINDS.register(
    AutoencoderKind(
        key=KIND,
        title="Denoising autoencoder",
        help="The course's convolutional autoencoder learns to turn noisy images into clean ones.",
        settings_type=AutoencoderConfig,
    )
)
