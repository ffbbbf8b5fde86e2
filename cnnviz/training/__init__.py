"""Live training: ``model.fit`` away from the pages, publishing progress events.

A :class:`TrainingJob` builds a model for a dataset and trains it through the server's
executor (:mod:`cnnviz.training.executors`): by default in a worker process on this machine
that keeps TensorFlow loaded (``local``), on a Ray cluster of lab machines when
``CNNVIZ_RAY_ADDRESS`` is set (``ray``), or in a thread of this process (``thread``, for
jobs holding live objects and for tests). The training itself is a
:class:`~cnnviz.training.run.TrainingRun`, the same code on every executor. It pushes small
event objects (:class:`JobStarted`, :class:`BatchEnd`, :class:`EpochEnd`, then one of
:class:`Finished`, :class:`Stopped`, :class:`Failed`) that reach the job's thread-safe list,
which a page polls; its outcome comes back (the model as ``.keras`` bytes from another
process) and the server saves it in its own store. A server-wide scheduler runs at most as
many jobs as the executor has room for (one per local worker, ``CNNVIZ_MAX_JOBS``; the
cluster's free CPUs with Ray); the others wait in a first-in-first-out queue that reports
their position. Jobs live in a module-level registry keyed by id, so a job keeps running
while its student visits other pages; the page only keeps the job id.

Model inputs follow the model's :class:`cnnviz.models.Preprocessing` (0..1 pixels for a
network trained here, the base's own for transfer learning). Scaling and augmentation run
inside a training-only wrapper model, so the model that is evaluated and saved contains
neither.

Example (no server needed)::

    job = TrainingJob(datasets.load("shapes"), TrainingConfig(epochs=2))
    job.start()
    job.wait()
    print(job.status, job.result.test_accuracy)

What a job trains is its *run kind* (:mod:`cnnviz.training.kinds`): the classifier here
(:mod:`cnnviz.training.classifier`), transfer learning and the denoising autoencoder in their
own packages, which register their kinds in :data:`RUN_KINDS`; ``cnnviz.runkinds`` imports
them all. Training never imports those packages.

The package is split along its own sections: ``config`` and ``augmentation`` (settings),
``kinds`` and ``classifier`` (run kinds), ``events``, ``progress`` (the fit callback),
``device``, ``scheduler`` (queue and registry), ``build`` (model, optimizer, wrapper),
``run`` (the training, wherever it runs), ``executors`` and ``job``. Every public name is
importable from ``cnnviz.training``.
"""

from cnnviz.training.augmentation import (
    COURSES_IMAGE_DATA_GENERATOR,
    FILL_MODES,
    FLIP_MODES,
    Augmentation,
    shear_factor,
)
from cnnviz.training.build import (
    build_classifier,
    build_model,
    gabor_bank,
    make_optimizer,
    model_preprocessing,
    output_units,
    stored_model_copy,
    training_wrapper,
)
from cnnviz.training.classifier import CLASSIFIER_KIND, ClassifierKind, KindRun
from cnnviz.training.config import (
    BATCH_SIZES,
    DEFAULT_ARCHITECTURE,
    FIRST_LAYERS,
    LEARNING_RATES,
    OPTIMIZERS,
    SCHEDULES,
    TrainingConfig,
    recommended_config,
)
from cnnviz.training.device import cpu_cores, detect_device, gpu_name, has_gpu, max_concurrent_jobs
from cnnviz.training.events import (
    BATCH_EVENTS_PER_SECOND,
    BatchEnd,
    EpochEnd,
    Event,
    Extracting,
    Failed,
    Finished,
    JobStarted,
    Stopped,
    TrainingResult,
)
from cnnviz.training.job import DONE_STATUSES, STATUSES, TrainingJob
from cnnviz.training.kinds import RUN_KINDS, RunKind, RunSettings, kind_of
from cnnviz.training.scheduler import (
    KEEP_FINISHED_PER_OWNER,
    SCHEDULER,
    get_job,
    jobs,
    next_number,
)

__all__ = [
    "BATCH_EVENTS_PER_SECOND",
    "BATCH_SIZES",
    "CLASSIFIER_KIND",
    "COURSES_IMAGE_DATA_GENERATOR",
    "DEFAULT_ARCHITECTURE",
    "DONE_STATUSES",
    "FILL_MODES",
    "FIRST_LAYERS",
    "FLIP_MODES",
    "KEEP_FINISHED_PER_OWNER",
    "LEARNING_RATES",
    "OPTIMIZERS",
    "RUN_KINDS",
    "SCHEDULER",
    "SCHEDULES",
    "STATUSES",
    "Augmentation",
    "BatchEnd",
    "ClassifierKind",
    "EpochEnd",
    "Event",
    "Extracting",
    "Failed",
    "Finished",
    "JobStarted",
    "KindRun",
    "RunKind",
    "RunSettings",
    "Stopped",
    "TrainingConfig",
    "TrainingJob",
    "TrainingResult",
    "build_classifier",
    "build_model",
    "cpu_cores",
    "detect_device",
    "gabor_bank",
    "get_job",
    "gpu_name",
    "has_gpu",
    "jobs",
    "kind_of",
    "make_optimizer",
    "max_concurrent_jobs",
    "model_preprocessing",
    "next_number",
    "output_units",
    "recommended_config",
    "shear_factor",
    "stored_model_copy",
    "training_wrapper",
]
