"""Datasets to train on: offline synthetic and bundled sets, Keras downloads, user archives.

``load(name, **options)`` gives a :class:`Dataset` of uint8 images and int64 labels;
``available()`` says which names exist and which work offline. Each dataset is a
:class:`DatasetSpec` in :data:`REGISTRY`, registered by its own module here: ``synthetic``
(``shapes``, ``find_shapes``), ``scikit`` (``digits``, ``faces``), ``textures``,
``keras_sets`` (``mnist``, ``fashion_mnist``, ``cifar10``, files by
``keras_files``). A user's ``.zip`` of class folders goes through :func:`from_zip`, which
validates the archive (``zip_checks``, ``zip_layout``, ``zip_read``) before anything is
written.

Adding a dataset is one module in this package that calls :func:`register`: every module
here is imported below, so the new one registers itself and every page and test sees it.
"""

import importlib
import pkgutil

# The pickers list datasets in registration order (``available()`` puts offline ones first):
# these first, then any other module of the package, by name (see the end of this file).
# isort: off
from cnnviz.datasets import synthetic, scikit, textures, keras_sets  # noqa: F401

# isort: on
from cnnviz.datasets.dataset import Dataset, to_rgb
from cnnviz.datasets.from_zip import (
    PHOTO_ZIP_IMAGE_SIZE,
    ZIP_IMAGE_SIZES,
    from_zip,
    load_saved,
)
from cnnviz.datasets.keras_sets import CIFAR10_CLASSES, FASHION_CLASSES
from cnnviz.datasets.saved import save
from cnnviz.datasets.spec import (
    REGISTRY,
    DatasetInfo,
    DatasetSpec,
    Option,
    available,
    get,
    load,
    register,
)
from cnnviz.datasets.splitting import stratified_split
from cnnviz.datasets.textures import TEXTURE_CLASSES

__all__ = [
    "CIFAR10_CLASSES",
    "FASHION_CLASSES",
    "PHOTO_ZIP_IMAGE_SIZE",
    "REGISTRY",
    "TEXTURE_CLASSES",
    "ZIP_IMAGE_SIZES",
    "Dataset",
    "DatasetInfo",
    "DatasetSpec",
    "Option",
    "available",
    "from_zip",
    "get",
    "load",
    "load_saved",
    "register",
    "save",
    "stratified_split",
    "to_rgb",
]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
