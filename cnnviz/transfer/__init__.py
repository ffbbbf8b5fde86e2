"""Transfer learning: a pretrained convolutional base, a new head, and the three ways to train it.

The courses end the same way: keep the convolutional base of an ImageNet network (the
``include_top=False`` part), put a new head on it (global pooling or Flatten, Dense with
ReLU, Dropout, the output layer) and train on a few hundred of one's own images. Three ways:

- ``"features"``: fast feature extraction. The frozen base runs once over every split
  (batched, with progress events); its outputs are cached on disk under a key made of the
  images' digest, the base, its cut layer, the input size and the pooling, so a second head
  on the same data costs seconds. The head is then trained on the cached features.
- ``"frozen"``: the base is frozen inside the model and the images go through it at every
  step, so augmentation can be active.
- ``"finetune"``: the top ``fine_tune_layers`` layers of the base are unfrozen and trained
  with a small learning rate (1e-5 to 1e-4), optionally after training the head first on
  cached features (``head_epochs``).

BatchNorm layers of the base stay frozen by default, which in Keras 3 also keeps them in
inference mode (they normalise with their stored statistics, as ``base(x, training=False)``
does): without this, unfreezing often destroys what the base learned. Frozen means
bit-identical: kernels and BatchNorm statistics do not change. ``trainable_batchnorm=True``
lets those among the fine-tuned layers learn, as the Flowers notebook does.

The courses' settings: ``input_size`` (150 in the courses; the base is built again at that
size with the pretrained weights), ``cut_layer`` (InceptionV3 at ``mixed7``), Flatten or
average pooling, a head of up to 1024 units, and ``preprocessing="rescale"`` (pixels / 255,
as the courses feed them) or the base's own. :func:`describe` counts the parameters of any
of them with random weights, so no weight file is needed; :func:`fine_tune_further` is the
courses' second step on a stored model; a base's ``_notop`` file is enough to train.

The model is one flat functional network: the base's layers (a copy of the pretrained
model's, with their pretrained names, so the inspection pages can reach them), then the head
layers, named ``transfer_*``. Its input is the chosen input size and preprocessing; the
training wrapper (:func:`cnnviz.training.training_wrapper`) repeats grayscale images to
three channels and resizes each batch, so no full-size copy of the dataset is ever made.

Example (no server needed)::

    from cnnviz import datasets, training, transfer
    cfg = training.TrainingConfig(transfer=transfer.TransferConfig(mode="features"), epochs=5)
    job = training.TrainingJob(datasets.load("faces"), cfg)
    job.start()
    job.wait()
    print(job.result.test_accuracy)

The package: ``config`` (:class:`TransferConfig`, the modes, :func:`recommended_config`),
``bases`` (the registry of pretrained bases), ``model`` (building and freezing), ``features``
(extraction and its disk cache), ``kind`` (the ``"transfer"`` run kind, registered in
:data:`cnnviz.training.RUN_KINDS` on import), ``plan`` (:func:`describe`) and ``compare``.
"""

from cnnviz.transfer.bases import (
    BASES,
    COURSE_BASES,
    CUT_LAYERS,
    MAX_INPUT_SIZE,
    MIN_INPUT_SIZE,
    SUFFIX,
    BaseSpec,
    base_name,
    base_preprocessing,
    base_spec,
    bases,
    register_base,
)
from cnnviz.transfer.compare import (
    compare_rows,
)
from cnnviz.transfer.config import (
    DEFAULT_DATASET,
    MODE_SENTENCES,
    MODE_TITLES,
    MODES,
    POOLINGS,
    PREPROCESSING_SENTENCE,
    PREPROCESSINGS,
    TransferConfig,
    fine_tune_further,
    recommended_config,
    transfer_preprocessing,
)
from cnnviz.transfer.features import (
    FEATURE_CACHE_BYTES,
    ExtractProgress,
    extract_features,
    features_dir,
    features_key,
    images_digest,
    preprocessing_of,
    prune_features,
)
from cnnviz.transfer.kind import (
    TRANSFER_KIND,
    TransferKind,
    TransferRun,
)
from cnnviz.transfer.model import (
    HEAD_PREFIX,
    assemble,
    base_input_size,
    base_layers,
    build_model,
    copy_head_weights,
    cut_layer_of,
    cut_layers,
    feature_extractor,
    head_model,
    is_head_layer,
    layer_table,
    model_input_size,
    parameter_counts,
    pool_layer,
    set_trainable,
    summary_text,
    train_head,
)
from cnnviz.transfer.plan import (
    Plan,
    describe,
)

__all__ = [
    "BASES",
    "COURSE_BASES",
    "CUT_LAYERS",
    "DEFAULT_DATASET",
    "FEATURE_CACHE_BYTES",
    "HEAD_PREFIX",
    "MAX_INPUT_SIZE",
    "MIN_INPUT_SIZE",
    "MODES",
    "MODE_SENTENCES",
    "MODE_TITLES",
    "POOLINGS",
    "PREPROCESSINGS",
    "PREPROCESSING_SENTENCE",
    "SUFFIX",
    "TRANSFER_KIND",
    "BaseSpec",
    "ExtractProgress",
    "Plan",
    "TransferConfig",
    "TransferKind",
    "TransferRun",
    "assemble",
    "base_input_size",
    "base_layers",
    "base_name",
    "base_preprocessing",
    "base_spec",
    "bases",
    "build_model",
    "compare_rows",
    "copy_head_weights",
    "cut_layer_of",
    "cut_layers",
    "describe",
    "extract_features",
    "feature_extractor",
    "features_dir",
    "features_key",
    "fine_tune_further",
    "head_model",
    "images_digest",
    "is_head_layer",
    "layer_table",
    "model_input_size",
    "parameter_counts",
    "pool_layer",
    "preprocessing_of",
    "prune_features",
    "recommended_config",
    "register_base",
    "set_trainable",
    "summary_text",
    "train_head",
    "transfer_preprocessing",
]
