"""Taking the classes home, and bringing a class-folder zip in.

- :func:`keras_bytes`: the whole trained model (base and head) as a ``.keras`` file.
- :func:`tflite_bytes` and :func:`check_tflite`: the same model as TensorFlow Lite, and the
  check that it gives the Keras model's top-1 class on the classes' own images.
- :func:`write_dataset_zip`: the images in the course layout (``train/<class>/<id>.jpg``),
  which :func:`cnnviz.datasets.from_zip` (the Train and Transfer pages) reads back.
- :func:`add_zip`: a zip of class folders (any layout :func:`cnnviz.datasets.from_zip`
  knows), checked entry by entry by the same code before anything is kept.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.datasets.zip_checks import Limits, list_images, open_zip, read_entry
from cnnviz.datasets.zip_layout import layout
from cnnviz.models import ImageModel
from cnnviz.myclasses import pictures
from cnnviz.myclasses.project import Added, check_name

#: Images per class the TensorFlow Lite check compares (the newest ones).
CHECK_PER_CLASS = 20


def keras_bytes(model: ImageModel) -> bytes:
    """The whole model as a ``.keras`` file (``keras.models.load_model`` reads it back)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "my_classes.keras"
        model.model.save(path)
        return path.read_bytes()


def tflite_bytes(model: ImageModel) -> bytes:
    """The whole model converted to TensorFlow Lite (``tf.lite.TFLiteConverter``).

    Its input is what the Keras model takes: (1, h, w, 3) float32, preprocessed as
    ``model.preprocessing`` says.
    """
    # TensorFlow Lite has no Keras 3 or backend-neutral converter: TensorFlow it is.
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model.model)
    return bytes(converter.convert())


def _tflite_outputs(data: bytes, inputs: np.ndarray) -> np.ndarray:
    import warnings

    import tensorflow as tf

    with warnings.catch_warnings():  # tf.lite.Interpreter's notice that LiteRT replaces it
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=data)
    interpreter.allocate_tensors()
    src = interpreter.get_input_details()[0]
    dst = interpreter.get_output_details()[0]
    out = []
    for x in inputs:
        interpreter.set_tensor(src["index"], x[None].astype(src["dtype"]))
        interpreter.invoke()
        out.append(np.array(interpreter.get_tensor(dst["index"])[0]))
    return np.stack(out)


@dataclass(frozen=True)
class TFLiteCheck:
    """The TensorFlow Lite model beside the Keras one on the classes' images.

    Attributes:
        compared: images compared.
        same_top1: of them, those where both give the same class.
        max_difference: largest difference of a probability between the two.
    """

    compared: int
    same_top1: int
    max_difference: float

    @property
    def ok(self) -> bool:
        """True when every image got the same top-1 class."""
        return self.compared > 0 and self.same_top1 == self.compared


def check_tflite(project, model: ImageModel, data: bytes, per_class: int = CHECK_PER_CLASS):
    """Compare the TensorFlow Lite model's top-1 with the Keras model's on each class's images.

    Args:
        project: the project whose images are used (the newest ``per_class`` of each class).
        model: the Keras model ``data`` was converted from.
        data: the ``.tflite`` file.
        per_class: images of each class compared (its newest ones).

    Returns:
        A :class:`TFLiteCheck`.
    """
    paths = []
    for info in project.classes():
        ids = project.image_ids(info.id)[-int(per_class) :]
        paths += [project.image_path(info.id, i) for i in ids]
    if not paths:
        return TFLiteCheck(0, 0, 0.0)
    resized = pictures.read_resized(paths, model.input_size)
    x = model.preprocessing.apply(resized).astype(np.float32)
    keras_probs = model.probabilities(np.asarray(model.model.predict(x, verbose=0), np.float32))
    lite_probs = model.probabilities(_tflite_outputs(data, x))
    same = int(np.sum(keras_probs.argmax(-1) == lite_probs.argmax(-1)))
    return TFLiteCheck(len(paths), same, float(np.max(np.abs(keras_probs - lite_probs))))


def dataset_entries(project) -> list[tuple[str, Path]]:
    """``(name in the zip, stored file)`` of every image: ``train/<class>/<image id>.jpg``."""
    out = []
    for info in project.classes():
        for image_id in project.image_ids(info.id):
            arcname = f"train/{info.name}/{image_id}{pictures.SUFFIX}"
            out.append((arcname, project.image_path(info.id, image_id)))
    return out


def write_dataset_zip(project, target) -> int:
    """Write the images as a zip in the course layout to ``target`` (a path or a file object).

    JPEGs are stored, not compressed again (they would not shrink). Returns the images
    written.
    """
    entries = dataset_entries(project)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for arcname, path in entries:
            try:
                zf.write(path, arcname)
            except OSError:
                continue  # removed while the zip was written
    return len(entries)


def dataset_zip_bytes(project) -> bytes:
    """:func:`write_dataset_zip` into memory (a download; a few tens of MB at most)."""
    with tempfile.TemporaryFile() as tmp:
        write_dataset_zip(project, tmp)
        tmp.seek(0)
        return tmp.read()


def add_zip(project, source, *, limits: Limits | None = None) -> Added:
    """Add the images of a zip of class folders, making classes that do not exist yet.

    Any layout :func:`cnnviz.datasets.from_zip` reads (``<class>/*``, ``train/<class>/*``
    with ``validation/`` and ``test/``...): every split's images go to their class. The
    archive is checked (size, entries, paths, nested archives) before anything is kept.

    Raises:
        InputError: an unsafe or unusable archive, a bad class name, or the quota.
    """
    limits = limits or Limits()
    zf, _ = open_zip(source, limits)
    result = Added()
    with zf:
        images, _ = list_images(zf, limits)
        entries, _ = layout(images)
        by_class: dict[str, list] = {}
        for entry in entries:
            by_class.setdefault(check_name(entry.label), []).append(entry)
        for name, group in by_class.items():
            class_id = project.class_id(name)
            if class_id is None:
                class_id = project.add_class(name)
                result.classes_made.append(name)
            sources = ((e.info.filename, read_entry(zf, e.info)) for e in group)
            added = project.add_images(class_id, sources)
            result.added += added.added
            result.skipped += added.skipped
    return result
