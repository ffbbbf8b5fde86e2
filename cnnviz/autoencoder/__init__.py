"""A convolutional denoising autoencoder: the courses' autoencoder lesson.

The default network is the one of LearnOpenCV's Keras lesson on MNIST (:data:`COURSE`): an
encoder of two ``Conv2D(32, 3, same)`` + ``LeakyReLU(0.1)`` + ``MaxPooling2D(2)`` stages
squeezes a 28 × 28 image into a 7 × 7 × 32 bottleneck (the layer named :data:`BOTTLENECK`);
the decoder has one more ``Conv2D(32, 3)`` + ``LeakyReLU(0.1)`` at 7 × 7, two linear
``Conv2DTranspose(32, 3, strides=2, same)`` layers and a ``Conv2D(C, 3, sigmoid, same)``
output back at 28 × 28: 37,601 parameters. A lighter network (ReLU, no extra convolution,
28,353 parameters) is there as a labelled alternative (``network="light"``). It learns to
map a noisy image to the clean one:

    x_noisy = clip(x + noise_level * normal(0, 1), 0, 1)

with ``noise_level`` 0.5 in the course and binary cross-entropy (or MSE) between the output
and the clean image as the loss. The course trains 25 epochs of batch 64 with Adam and
validates on the noisy test set (:func:`recommended_config`).

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

The package: ``config`` (:class:`AutoencoderConfig`, :func:`recommended_config`,
:data:`COURSE`), ``course`` (a run's losses beside the course's), ``model``
(the network, its bottleneck), ``noise`` (the noisy copy, losses), ``denoise`` (errors and
baselines) and ``kind`` (the ``"autoencoder"`` run kind, registered in
:data:`cnnviz.training.RUN_KINDS` on import).
"""

from cnnviz.autoencoder.config import (
    ARCHITECTURE,
    COURSE,
    COURSE_NOISE,
    DATASETS,
    KIND,
    LOSS_TITLES,
    LOSSES,
    MAX_NOISE,
    NETWORKS,
    VALIDATIONS,
    AutoencoderConfig,
    CourseRun,
    is_autoencoder,
    recommended_config,
)
from cnnviz.autoencoder.course import CourseComparison, LossRow, compare_with_course
from cnnviz.autoencoder.denoise import (
    Denoised,
    blur_baseline,
    denoise,
)
from cnnviz.autoencoder.kind import (
    AUTOENCODER_KIND,
    AutoencoderKind,
    AutoencoderRun,
    ReconstructionEvaluation,
)
from cnnviz.autoencoder.model import (
    BOTTLENECK,
    LEAKY_SLOPE,
    bottleneck,
    build_model,
    predict,
    preprocessing_for,
    to_unit,
)
from cnnviz.autoencoder.noise import (
    add_noise,
    noise_layer_class,
    per_image_loss,
    reconstruction_loss,
)

__all__ = [
    "ARCHITECTURE",
    "AUTOENCODER_KIND",
    "BOTTLENECK",
    "COURSE",
    "COURSE_NOISE",
    "DATASETS",
    "KIND",
    "LEAKY_SLOPE",
    "LOSSES",
    "LOSS_TITLES",
    "MAX_NOISE",
    "NETWORKS",
    "VALIDATIONS",
    "AutoencoderConfig",
    "AutoencoderKind",
    "AutoencoderRun",
    "CourseComparison",
    "CourseRun",
    "Denoised",
    "LossRow",
    "ReconstructionEvaluation",
    "add_noise",
    "blur_baseline",
    "bottleneck",
    "build_model",
    "compare_with_course",
    "denoise",
    "is_autoencoder",
    "noise_layer_class",
    "per_image_loss",
    "predict",
    "preprocessing_for",
    "recommended_config",
    "reconstruction_loss",
    "to_unit",
]
