"""A convolutional denoising autoencoder: the courses' autoencoder lesson.

The network is the one of LearnOpenCV's Keras lesson on MNIST: an encoder of two
``Conv2D(32, 3, relu, same)`` + ``MaxPooling2D(2)`` stages squeezes a 28 × 28 image into a
7 × 7 × 32 bottleneck (the layer named :data:`BOTTLENECK`), then a decoder of two
``Conv2DTranspose(32, 3, strides=2, relu, same)`` layers and a ``Conv2D(C, 3, sigmoid,
same)`` output grows it back to 28 × 28. It learns to map a noisy image to the clean one:

    x_noisy = clip(x + noise_level * normal(0, 1), 0, 1)

with ``noise_level`` 0.5 in the course and binary cross-entropy (or MSE) between the output
and the clean image as the loss.

Training goes through :class:`cnnviz.training.TrainingJob` like any other model (live
events, Stop, the model store): set ``TrainingConfig(autoencoder=AutoencoderConfig())``.
The images themselves are the targets. Noise is drawn **fresh for every batch** (training
and validation), inside a training-only wrapper, so the network never sees the same noisy
copy twice; the saved model is the plain autoencoder (clean or noisy 0..1 images in,
reconstructions in [0, 1] out). Stored autoencoders carry ``"kind": "autoencoder"`` in
their metadata, so the classification pages leave them out.

Example (no server needed)::

    from cnnviz import autoencoder, datasets, training
    cfg = training.TrainingConfig(autoencoder=autoencoder.AutoencoderConfig(), epochs=5)
    job = training.TrainingJob(datasets.load("digits"), cfg)
    job.start()
    job.wait()
    print(job.result.test_loss)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from cnnviz.errors import InputError
from cnnviz.preprocessing import Preprocessing, unit

if TYPE_CHECKING:
    import keras

KIND = "autoencoder"
"""``meta["kind"]`` of a stored autoencoder."""
BOTTLENECK = "bottleneck"
"""Name of the encoder's last layer (7 × 7 × 32 for 28 × 28 inputs)."""
ARCHITECTURE = "denoising_autoencoder"
LOSSES = ("binary_crossentropy", "mse")
LOSS_TITLES = {
    "binary_crossentropy": "Binary cross-entropy (the course)",
    "mse": "Mean squared error",
}
COURSE_NOISE = 0.5
MAX_NOISE = 2.0


@dataclass(frozen=True)
class AutoencoderConfig:
    """How the denoising autoencoder is built and trained.

    Attributes:
        noise_level: standard deviation of the Gaussian noise added to 0..1 pixels before
            clipping (the course's ``noise_factor``, 0.5), in [0, 2].
        loss: ``"binary_crossentropy"`` (the course) or ``"mse"``, between the
            reconstruction and the clean image.
        filters: channels of every convolution (the course: 32), 1..128.
    """

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

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> AutoencoderConfig:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        data = dict(data or {})
        names = {"noise_level", "loss", "filters"}
        return cls(**{k: v for k, v in data.items() if k in names})


def is_autoencoder(meta: dict | None) -> bool:
    """True for the store metadata of an autoencoder."""
    return isinstance(meta, dict) and meta.get("kind") == KIND


# --- the model --------------------------------------------------------------------------------


def build_model(input_shape: tuple, filters: int = 32, seed: int = 0) -> keras.Model:
    """The course's convolutional autoencoder.

    Args:
        input_shape: (H, W, C) with H and W divisible by 4 (two 2 × 2 poolings), C 1 or 3.
        filters: channels of every convolution (32 in the course).
        seed: seed of the initial weights.

    Returns:
        An uncompiled functional model, (N, H, W, C) float32 in [0, 1] → (N, H, W, C)
        float32 in [0, 1]; layer :data:`BOTTLENECK` outputs (N, H/4, W/4, filters).
    """
    import keras

    h, w, c = (int(v) for v in input_shape)
    if h % 4 or w % 4 or h < 4 or w < 4:
        raise InputError(
            f"The autoencoder pools twice by 2, so the image side must be a multiple of 4; "
            f"got {h}×{w} (use 28×28 as the course does)."
        )
    if c not in (1, 3):
        raise InputError(f"Images need 1 or 3 channels; got {c}.")
    f = int(filters)
    init = lambda k: keras.initializers.GlorotUniform(seed=int(seed) * 10 + k)  # noqa: E731
    conv = {"kernel_size": 3, "padding": "same", "activation": "relu"}
    layers = keras.layers
    inputs = keras.Input((h, w, c), name="image")
    x = layers.Conv2D(f, name="encoder_conv1", kernel_initializer=init(1), **conv)(inputs)
    x = layers.MaxPooling2D(2, padding="same", name="encoder_pool1")(x)
    x = layers.Conv2D(f, name="encoder_conv2", kernel_initializer=init(2), **conv)(x)
    x = layers.MaxPooling2D(2, padding="same", name=BOTTLENECK)(x)
    x = layers.Conv2DTranspose(
        f, strides=2, name="decoder_deconv1", kernel_initializer=init(3), **conv
    )(x)
    x = layers.Conv2DTranspose(
        f, strides=2, name="decoder_deconv2", kernel_initializer=init(4), **conv
    )(x)
    out = layers.Conv2D(
        c, 3, padding="same", activation="sigmoid", name="reconstruction",
        kernel_initializer=init(5),
    )(x)  # fmt: skip
    return keras.Model(inputs, out, name=ARCHITECTURE)


def preprocessing_for(channels: int) -> Preprocessing:
    """What the autoencoder takes: pixels / 255 (one channel for grayscale data)."""
    return unit(grayscale=int(channels) == 1)


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W, C), C = 1 or 3 → float32 in [0, 1], same shape."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise InputError(f"Expected images (N, H, W, 1 or 3), got shape {images.shape}.")
    return preprocessing_for(images.shape[-1]).apply(images)


def add_noise(images01: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
    """The course's noisy copy: ``clip(x + level * normal(0, 1), 0, 1)``.

    Args:
        images01: float images in [0, 1], any shape (e.g. (N, H, W, C)); not changed.
        level: noise standard deviation in 0..1 pixel units (the course: 0.5), ≥ 0.
        seed: the same seed gives the same noise.

    Returns:
        float32, the shape of ``images01``, in [0, 1].
    """
    if not (0.0 <= float(level) <= MAX_NOISE) or not math.isfinite(float(level)):
        raise InputError(f"Noise level must be between 0 and {MAX_NOISE:g}; got {level}.")
    x = np.asarray(images01, dtype=np.float32)
    noise = np.random.default_rng(int(seed)).standard_normal(x.shape, dtype=np.float32)
    return np.clip(x + np.float32(level) * noise, 0.0, 1.0)


def _noise_layer_class():
    import keras

    class NoisyInput(keras.layers.Layer):
        """Adds clipped Gaussian noise at every call, training or not (wrapper only)."""

        def __init__(self, level: float, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.level = float(level)
            self.seed_generator = keras.random.SeedGenerator(int(seed))

        def call(self, x):
            noise = keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)
            return keras.ops.clip(x + self.level * noise, 0.0, 1.0)

    return NoisyInput


def reconstruction_loss(name: str):
    """A Keras loss between uint8 clean targets (0..255) and reconstructions in [0, 1]."""
    import keras

    if name not in LOSSES:
        raise InputError(f"Loss must be one of {', '.join(LOSSES)}; got {name!r}.")
    base = keras.losses.BinaryCrossentropy() if name == "binary_crossentropy" else keras.losses.MSE

    def loss(y_true, y_pred):
        clean = keras.ops.cast(y_true, "float32") / 255.0
        return base(clean, keras.ops.cast(y_pred, "float32"))

    loss.__name__ = f"reconstruction_{name}"
    return loss


def per_image_loss(clean01: np.ndarray, recon01: np.ndarray, name: str) -> np.ndarray:
    """The reconstruction loss of each image, as Keras computes it (mean over pixels).

    Args:
        clean01: (N, H, W, C) clean images, float in [0, 1].
        recon01: reconstructions, same shape and range.
        name: one of :data:`LOSSES`.

    Returns:
        (N,) float64.
    """
    t = np.asarray(clean01, np.float64)
    p = np.asarray(recon01, np.float64)
    if name == "mse":
        err = (t - p) ** 2
    else:
        p = np.clip(p, 1e-7, 1 - 1e-7)  # Keras' epsilon
        err = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return err.reshape(len(t), -1).mean(axis=1)


def predict(model, images01: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Reconstructions, (N, H, W, C) float32 in [0, 1], of 0..1 images of the same shape."""
    x = np.asarray(images01, dtype=np.float32)
    if len(x) == 0:
        return x.copy()
    return np.asarray(model.predict(x, batch_size=int(batch_size), verbose=0), np.float32)


@dataclass
class Denoised:
    """Clean, noisy and reconstructed images and their errors.

    Attributes:
        clean: (N, H, W, C) float32 in [0, 1].
        noisy: like ``clean``, after :func:`add_noise`.
        reconstructed: the model's output for ``noisy``.
        mse_model: (N,) mean squared error of ``reconstructed`` against ``clean``.
        mse_noisy: (N,) the trivial baseline: ``noisy`` itself against ``clean``.
        mse_blur: (N,) a classical baseline: the noisy image under a Gaussian blur, with
            the kernel size (see ``blur_size``) that does best on these very images.
        blur_size: side of that Gaussian kernel (3, 5 or 7).
    """

    clean: np.ndarray
    noisy: np.ndarray
    reconstructed: np.ndarray
    mse_model: np.ndarray
    mse_noisy: np.ndarray
    mse_blur: np.ndarray | None = None
    blur_size: int = 0

    @property
    def improvement(self) -> float:
        """How many times smaller the model's mean error is than the baseline's."""
        model = float(np.mean(self.mse_model)) if len(self.mse_model) else math.nan
        base = float(np.mean(self.mse_noisy)) if len(self.mse_noisy) else math.nan
        return base / model if model > 0 else math.inf


def denoise(model, images: np.ndarray, level: float, seed: int = 0) -> Denoised:
    """Noise some uint8 images, reconstruct them, and measure both against the clean ones.

    Args:
        model: an autoencoder taking (N, H, W, C) 0..1 images.
        images: (N, H, W, C) uint8.
        level: noise level (see :func:`add_noise`).
        seed: noise seed.
    """
    clean = to_unit(images)
    expected = tuple(int(v) for v in model.inputs[0].shape[1:])
    if clean.shape[1:] != expected:
        raise InputError(
            f"This autoencoder takes {expected[0]}×{expected[1]}×{expected[2]} images; "
            f"got {clean.shape[1]}×{clean.shape[2]}×{clean.shape[3]}."
        )
    noisy = add_noise(clean, level, seed)
    recon = predict(model, noisy)
    mse = lambda a: ((a - clean) ** 2).reshape(len(clean), -1).mean(axis=1)  # noqa: E731
    blur, size = blur_baseline(noisy, clean)
    return Denoised(clean, noisy, recon, mse(recon), mse(noisy), blur, size)


def blur_baseline(noisy01: np.ndarray, clean01: np.ndarray) -> tuple[np.ndarray, int]:
    """The best Gaussian blur of the noisy images: what denoising costs without learning.

    The kernel size (3, 5 or 7, sigma from OpenCV's rule) is chosen on these very images,
    which flatters the baseline, never the network.

    Args:
        noisy01: (N, H, W, C) float in [0, 1].
        clean01: the clean images, same shape.

    Returns:
        ((N,) mean squared error per image of the best blur, its kernel side).
    """
    import cv2

    noisy = np.asarray(noisy01, np.float32)
    clean = np.asarray(clean01, np.float32)
    best: tuple[np.ndarray, int] | None = None
    for k in (3, 5, 7):
        blurred = np.stack([cv2.GaussianBlur(img, (k, k), 0) for img in noisy])
        blurred = blurred.reshape(noisy.shape)  # OpenCV drops a single channel axis
        err = ((blurred - clean) ** 2).reshape(len(clean), -1).mean(axis=1)
        if best is None or err.mean() < best[0].mean():
            best = (err, k)
    return best


def bottleneck(model, images01: np.ndarray) -> np.ndarray:
    """The bottleneck's activations, (N, H/4, W/4, filters) float32, of 0..1 images."""
    from cnnviz.activations import layer_activations

    return layer_activations(model, np.asarray(images01, np.float32), [BOTTLENECK])[BOTTLENECK]


# --- the job's autoencoder part ---------------------------------------------------------------


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


class AutoencoderRun:
    """What a :class:`~cnnviz.training.TrainingJob` does differently for an autoencoder.

    The job calls :meth:`fit_model` (the wrapper to compile and fit), :attr:`loss`,
    :meth:`evaluate` and :meth:`metadata`; the images are the targets.
    """

    def __init__(self, config: AutoencoderConfig, model) -> None:
        config.validate()
        self.config = config
        self.model = model

    @property
    def loss(self):
        """The compiled loss (uint8 clean targets against reconstructions)."""
        return reconstruction_loss(self.config.loss)

    def fit_model(self, input_shape: tuple, seed: int, preprocessing: Preprocessing):
        """uint8 pixels → 0..1 → fresh clipped noise (every batch) → the autoencoder."""
        import keras

        h, w, c = (int(v) for v in input_shape)
        inputs = keras.Input((h, w, c), dtype="uint8", name="pixels")
        x = preprocessing.apply(inputs, ops=keras.ops)
        noisy = _noise_layer_class()(self.config.noise_level, seed=int(seed), name="noise")(x)
        return keras.Model(inputs, self.model(noisy), name="denoising_wrapper")

    def evaluate(self, job) -> ReconstructionEvaluation:
        """Loss and errors on the test set, noised once with a fixed seed."""
        x = np.asarray(job.dataset.x_test)
        level = float(self.config.noise_level)
        result = denoise(self.model, x, level, seed=int(job.config.seed) + 1)
        losses = per_image_loss(result.clean, result.reconstructed, self.config.loss)
        mean = lambda a: float(np.mean(a)) if len(a) else math.nan  # noqa: E731
        return ReconstructionEvaluation(
            loss=mean(losses),
            mse_model=mean(result.mse_model),
            mse_noisy=mean(result.mse_noisy),
            mse_blur=mean(result.mse_blur),
            samples=len(x),
            noise_level=level,
        )

    def metadata(self) -> dict:
        """What the store keeps: the kind (so classifier pages skip it) and the settings."""
        shape = [int(v) for v in self.model.get_layer(BOTTLENECK).output.shape[1:]]
        return {
            "kind": KIND,
            "architecture": ARCHITECTURE,
            "autoencoder": {**self.config.to_dict(), "bottleneck_shape": shape},
        }


def recommended_config(dataset_name: str = "mnist", **autoencoder):
    """The course's settings: Adam at 1e-3, binary cross-entropy, noise 0.5.

    MNIST and Fashion-MNIST train with the course's batch of 128 (the course runs 50
    epochs; 10 already denoise well). The small offline ``digits`` set (1,438 images) uses
    batches of 32, so that 10 epochs are enough steps.

    Args:
        dataset_name: a ``cnnviz.datasets`` name.
        **autoencoder: :class:`AutoencoderConfig` fields to change.
    """
    from cnnviz.training.config import TrainingConfig

    return TrainingConfig(
        autoencoder=AutoencoderConfig(**autoencoder),
        learning_rate=1e-3,
        schedule="constant",
        batch_size=32 if dataset_name == "digits" else 128,
        epochs=10,
        validation_split=0.1,
    )
