"""The model store: trained and uploaded ``.keras`` models with their metadata, per workspace.

:class:`ModelStore` (``cnnviz.store.ModelStore(root)``) saves, lists, loads, shares and
deletes models; a loaded model is a :class:`StoredModel` (an ``ImageModel``). The package:
``models`` (the public API), ``files`` (the folder, ids, locks, atomic commits), ``meta``
(meta.json read through a cache, written atomically), ``cache`` (loaded models in memory),
``quota`` (bytes per workspace), ``uploads`` (checking an uploaded file before it is
extracted), ``keras_files`` (safe loading) and ``stored`` (:class:`StoredModel`).
"""

from cnnviz.store.cache import CACHE_MAX_BYTES, CACHE_SIZE
from cnnviz.store.files import (
    ID_PATTERN,
    MAX_NAME_LENGTH,
    META_FILE,
    MODEL_FILE,
    SNAPSHOTS_FILE,
    StoreFolder,
)
from cnnviz.store.keras_files import (
    check_class_names,
    check_preprocessing,
    classifier_shape,
    load_keras_file,
)
from cnnviz.store.models import ModelStore
from cnnviz.store.stored import StoredModel, last_spatial_layer
from cnnviz.store.uploads import (
    MAX_ASSETS_BYTES,
    MAX_CONFIG_BYTES,
    MAX_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    check_keras_zip,
    read_source,
)

__all__ = [
    "CACHE_MAX_BYTES",
    "CACHE_SIZE",
    "ID_PATTERN",
    "MAX_ASSETS_BYTES",
    "MAX_CONFIG_BYTES",
    "MAX_NAME_LENGTH",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "META_FILE",
    "MODEL_FILE",
    "SNAPSHOTS_FILE",
    "ModelStore",
    "StoreFolder",
    "StoredModel",
    "check_class_names",
    "check_keras_zip",
    "check_preprocessing",
    "classifier_shape",
    "last_spatial_layer",
    "load_keras_file",
    "read_source",
]
