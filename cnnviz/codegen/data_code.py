"""The "Load the data" step of a training program: the page's dataset, in public packages.

Keras' built-in datasets load as the courses load them (``keras.datasets.mnist.load_data()``);
the offline sets come from our own generator, written into the program
(:mod:`cnnviz.codegen.inline`); a zip in the course layout is read from ``ZIP_PATH``. Every
branch ends with ``x_train, y_train, x_test, y_test`` (uint8 (N, H, W, C) images, int64
labels), ``x_val, y_val`` (None unless the archive has a validation folder) and
``class_names``.
"""

from __future__ import annotations

from cnnviz import datasets
from cnnviz.codegen import inline
from cnnviz.codegen.program import Step
from cnnviz.errors import InputError

ZIP = "zip"
#: What each offline dataset needs written into the program: its loader and what it calls.
_KERAS = {
    "mnist": ("mnist", True),
    "fashion_mnist": ("fashion_mnist", True),
    "cifar10": ("cifar10", False),
}

_DATASET_STAND_IN = '''
def Dataset(name, x_train, y_train, x_test, y_test, class_names, **more):
    """The arrays of a dataset (the app keeps them in a Dataset object)."""
    return x_train, y_train, x_test, y_test, list(class_names)
'''

_ZIP_READER = '''
import io
import zipfile

import cv2
from PIL import Image

SPLITS = {"train": "train", "training": "train", "training_set": "train",
          "validation": "val", "valid": "val", "val": "val",
          "test": "test", "testing": "test", "test_set": "test"}


def split_of(folder):
    """'train', 'val', 'test' or None for a folder name (validation-<name> is 'val')."""
    folder = folder.lower()
    return "val" if folder.startswith("validation-") else SPLITS.get(folder)


def read_zip(path, size):
    """Images of a zip of class folders, each resized to size × size RGB.

    Layouts: <split>/<class>/<image> (split: train, validation, test...), or <class>/<image>.
    Returns {split: (images uint8 (N, size, size, 3), class names)}.
    """
    found = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            parts = [p for p in name.split("/") if p]
            hidden = any(p.startswith((".", "__MACOSX")) for p in parts)
            if name.endswith("/") or len(parts) < 2 or hidden:
                continue
            split = split_of(parts[-3]) if len(parts) >= 3 else None
            try:
                image = np.asarray(Image.open(io.BytesIO(archive.read(name))).convert("RGB"))
            except OSError:  # not an image
                continue
            shrink = size < max(image.shape[:2])
            image = cv2.resize(image, (size, size),
                               interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
            found.setdefault(split or "all", []).append((parts[-2], image))
    names = sorted({c for items in found.values() for c, _ in items})

    def arrays(split):
        items = found.get(split, [])
        x = np.stack([im for _, im in items]) if items else np.zeros((0, size, size, 3), "uint8")
        return x, np.asarray([names.index(c) for c, _ in items], "int64")

    return {split: arrays(split) for split in found}, names
'''


def data_step(dataset_name: str, options: dict | None, seed: int, image_size: int) -> Step:
    """The step that loads ``dataset_name`` with ``options`` as the page does.

    Args:
        dataset_name: a ``cnnviz.datasets`` name, or :data:`ZIP` for the student's archive.
        options: the dataset's options (``datasets.load(name, **options)``).
        seed: the training seed (a zip without a test folder is split with it).
        image_size: the side images of a zip are resized to.

    Raises:
        InputError: a dataset this module cannot write code for.
    """
    if dataset_name == ZIP:
        return _zip_step(image_size, seed)
    spec = datasets.get(dataset_name)
    opts = {**spec.defaults, **dict(options or {})}
    if dataset_name in _KERAS:
        return _keras_step(dataset_name, opts, spec.title)
    maker = _OFFLINE.get(dataset_name)
    if maker is None:
        raise InputError(f"The code for the dataset {spec.title} cannot be written yet.")
    code, text = maker()
    call = ", ".join(f"{k}={v!r}" for k, v in opts.items())
    loader = _LOADERS[dataset_name].__name__
    code += (
        f"\n\nx_train, y_train, x_test, y_test, class_names = {loader}({call})\n"
        "x_val = y_val = None  # no validation set of its own\n"
    )
    return Step(f"Load the data: {spec.title}", f"{spec.help} {text}", code)


def _keras_step(name: str, opts: dict, title: str) -> Step:
    module, gray = _KERAS[name]
    from cnnviz.datasets import keras_sets, splitting

    classes = keras_sets._CLASSES.get(name, keras_sets.CIFAR10_CLASSES)
    lines = [
        f"(x_train, y_train), (x_test, y_test) = keras.datasets.{module}.load_data()",
        *(
            ["x_train, x_test = x_train[..., None], x_test[..., None]  # one channel"]
            if gray
            else []
        ),
        'y_train, y_test = y_train.reshape(-1).astype("int64"), y_test.reshape(-1).astype("int64")',
        f"class_names = {list(classes)!r}",
        "x_val = y_val = None",
    ]
    n_train, n_test, seed = opts.get("n_train"), opts.get("n_test"), int(opts.get("seed", 0))
    subset = ""
    if n_train is not None or n_test is not None:
        subset = inline.function_source(splitting.count, splitting.subset) + "\n\n"
        if n_train is not None:
            lines.append(
                f'x_train, y_train = subset(x_train, y_train, {n_train!r}, [{seed}, 0], "n_train")'
            )
        if n_test is not None:
            lines.append(
                f'x_test, y_test = subset(x_test, y_test, {n_test!r}, [{seed}, 1], "n_test")'
            )
    text = f"{title}, downloaded once into the Keras cache by the same call the courses make." + (
        " The page trains on a random subset, drawn the same way here." if subset else ""
    )
    return Step(f"Load the data: {title}", text, subset + "\n".join(lines))


def _zip_step(image_size: int, seed: int) -> Step:
    from cnnviz.datasets import splitting

    code = (
        _ZIP_READER.strip("\n")
        + "\n\n\n"
        + inline.function_source(splitting.stratified_split)
        + f"\n\nsplits, class_names = read_zip(ZIP_PATH, {int(image_size)})\n"
        "x_val = y_val = None\n"
        'if "all" in splits:  # class folders only: a fifth of each class is the test set\n'
        '    x, y = splits["all"]\n'
        f"    train, test = stratified_split(y, 0.2, seed={int(seed)})\n"
        "    (x_train, y_train), (x_test, y_test) = (x[train], y[train]), (x[test], y[test])\n"
        "else:\n"
        '    x_train, y_train = splits["train"]\n'
        '    if "val" in splits:\n'
        '        x_val, y_val = splits["val"]\n'
        "    # No test folder: the validation images are the held-out set results are given on.\n"
        '    x_test, y_test = splits.get("test", (x_val, y_val))\n'
        'print(f"{len(x_train)} training images of {len(class_names)} classes: {class_names}")\n'
    )
    text = (
        "Your own archive of class folders, in the course layout (`train/<class>/…`, "
        "`validation/<class>/…`, optionally `test/<class>/…`), read from `ZIP_PATH` and "
        f"resized to {int(image_size)} × {int(image_size)} pixels as the page does."
    )
    return Step("Load the data: your zip of class folders", text, code)


def _figures() -> tuple[str, str]:
    from cnnviz.datasets import figures, splitting, synthetic

    code = (
        inline.PRELUDE
        + _DATASET_STAND_IN
        + "\n\n"
        + inline.module_source(figures)
        + "\n\n"
        + inline.function_source(splitting.count)
        + "\n\n"
        + inline.function_source(
            synthetic.figures_dataset, replace=[("figures.generate", "generate")]
        )
    )
    return code, "The figures are drawn by the app's own generator, written out below."


def _shapes() -> tuple[str, str]:
    from cnnviz.datasets import synthetic

    code, text = _figures()
    return code + "\n\n" + inline.function_source(synthetic.load_shapes), text


def _find_shapes() -> tuple[str, str]:
    from cnnviz.datasets import synthetic

    code, text = _figures()
    return code + "\n\n" + inline.function_source(synthetic.load_find_shapes), text


def _few_shapes() -> tuple[str, str]:
    from cnnviz.datasets import few_shapes

    code, text = _figures()
    values = {k: getattr(few_shapes, k) for k in ("IMAGE_SIZE", "NOISE", "CLUTTER", "RADIUS")}
    return (
        code + "\n\n" + inline.constants(**values) + "\n\n"
        + inline.function_source(few_shapes.load_few_shapes),
        text,
    )  # fmt: skip


def _stripes() -> tuple[str, str]:
    from cnnviz.datasets import splitting, stripes

    code = (
        "\n".join([inline.PRELUDE, _DATASET_STAND_IN])
        + inline.constants(ANGLES=stripes.ANGLES, CLASS_NAMES=stripes.CLASS_NAMES)
        + "\n\n"
        + inline.function_source(splitting.count, stripes.gratings, stripes.load_stripes)
    )
    return code, "The gratings are drawn by the app's own generator, written out below."


def _textures() -> tuple[str, str]:
    from cnnviz.datasets import splitting, textures

    code = (
        "\n".join([inline.PRELUDE, _DATASET_STAND_IN])
        + inline.constants(TEXTURE_CLASSES=textures.TEXTURE_CLASSES)
        + "\n\n"
        + inline.function_source(splitting.count, textures.load_textures)
    )
    return code, "Patches of scikit-image's photos, cut by the app's own code, written out below."


def _scikit(loader) -> tuple[str, str]:
    from cnnviz.datasets import splitting
    from cnnviz.images import geometry

    code = (
        "\n".join(["import cv2\n", inline.PRELUDE, _DATASET_STAND_IN])
        + "\n\n"
        + inline.function_source(
            geometry.resize_batch, splitting.stratified_split, splitting.split_dataset, loader
        )
    )
    return code, "Loaded from the package and framed by the app's own code, written out below."


def _digits():
    from cnnviz.datasets import scikit

    return _scikit(scikit.load_digits)


def _faces():
    from cnnviz.datasets import scikit

    return _scikit(scikit.load_faces)


def _loaders() -> dict:
    from cnnviz.datasets import few_shapes, scikit, stripes, synthetic, textures

    return {
        "shapes": synthetic.load_shapes,
        "find_shapes": synthetic.load_find_shapes,
        "few_shapes": few_shapes.load_few_shapes,
        "stripes": stripes.load_stripes,
        "textures": textures.load_textures,
        "digits": scikit.load_digits,
        "faces": scikit.load_faces,
    }


_OFFLINE = {
    "shapes": _shapes,
    "find_shapes": _find_shapes,
    "few_shapes": _few_shapes,
    "stripes": _stripes,
    "textures": _textures,
    "digits": _digits,
    "faces": _faces,
}
_LOADERS = _loaders()

#: Packages a dataset's code imports beyond TensorFlow and numpy.
REQUIREMENTS = {
    "shapes": ("opencv-python",),
    "find_shapes": ("opencv-python",),
    "few_shapes": ("opencv-python",),
    "digits": ("scikit-learn", "opencv-python"),
    "faces": ("scikit-image", "opencv-python"),
    "textures": ("scikit-image",),
    ZIP: ("pillow", "opencv-python"),
}
