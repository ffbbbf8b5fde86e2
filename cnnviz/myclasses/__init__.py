"""Your own classes, from the camera: name classes, add images, train in seconds, take it home.

What Teachable Machine does, kept in the workspace: a :class:`Project` holds named classes
and their images (camera snapshots, uploaded files, a zip of class folders), stored
downscaled on disk (224-px JPEGs and 64-px thumbnails; no pixels are held in memory), so a
project of 2,000 images costs a few tens of MB on disk and nothing more in RAM
(``bench/my_classes_memory.py``). Training is transfer learning on the bundled base
(EfficientNet-Lite0) by feature extraction: each image's features are computed once and
cached in one array file, and a small head is trained on them in seconds. Exports: the model
as ``.keras`` and TensorFlow Lite (with a check that both give the same top-1 class), the
images as a zip in the course layout that the Train and Transfer pages read back.

Example (no server needed)::

    from cnnviz import myclasses, workspaces
    project = myclasses.Project(workspaces.Workspace(workspaces.new_key()))
    cats = project.add_class("cats")
    project.add_images(cats, [("cat1.jpg", open("cat1.jpg", "rb").read())])
    ...  # a second class, then
    result = myclasses.train(project)
    model = myclasses.load_model(project)        # an ImageModel
    print(model.top_k(image, 2))

Every write reserves its bytes in the workspace first (:mod:`cnnviz.diskspace`): at the
quota, adding raises ``InputError`` saying so. Modules: ``project`` (classes and images),
``pictures`` (decoding, shrinking, JPEGs), ``features`` (the per-image feature cache),
``places`` (a few trainings at a time, one per project), ``training`` (the head,
:func:`load_model`), ``exports`` (.keras, .tflite, zips), ``stored`` (the model in the
workspace's store, for the pages that look inside).
"""

from cnnviz.myclasses.exports import (
    CHECK_PER_CLASS,
    TFLiteCheck,
    add_zip,
    check_tflite,
    dataset_entries,
    dataset_zip_bytes,
    keras_bytes,
    tflite_bytes,
    write_dataset_zip,
)
from cnnviz.myclasses.features import FeatureProgress
from cnnviz.myclasses.pictures import STORED_SIDE, THUMB_SIDE
from cnnviz.myclasses.places import PLACES, Places
from cnnviz.myclasses.project import (
    MAX_CLASSES,
    MAX_IMAGES,
    Added,
    ClassInfo,
    Project,
    check_name,
)
from cnnviz.myclasses.stored import save_to_store, stored_model_id
from cnnviz.myclasses.training import (
    Trained,
    check_trainable,
    is_stale,
    load_model,
    train,
    trained_record,
    training_config,
    transfer_config,
)

__all__ = [
    "CHECK_PER_CLASS",
    "MAX_CLASSES",
    "MAX_IMAGES",
    "PLACES",
    "STORED_SIDE",
    "THUMB_SIDE",
    "Added",
    "ClassInfo",
    "FeatureProgress",
    "Places",
    "Project",
    "TFLiteCheck",
    "Trained",
    "add_zip",
    "check_name",
    "check_tflite",
    "check_trainable",
    "dataset_entries",
    "dataset_zip_bytes",
    "is_stale",
    "keras_bytes",
    "load_model",
    "save_to_store",
    "stored_model_id",
    "tflite_bytes",
    "train",
    "trained_record",
    "training_config",
    "transfer_config",
    "write_dataset_zip",
]
