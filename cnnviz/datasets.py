"""Datasets to train on: offline synthetic and bundled sets, Keras downloads, and user archives.

``load(name, **options)`` gives a :class:`Dataset` of uint8 images and int64 labels;
``available()`` says which names exist and which work offline. A user's ``.zip`` of class
folders goes through :func:`from_zip`, which validates the archive before anything is written.

Offline: ``shapes`` (synthetic figures with boxes, :mod:`cnnviz.shapes`), ``digits``
(scikit-learn's 8×8 handwritten digits), ``faces`` (scikit-image's faces vs non-faces) and
``textures`` (patches of scikit-image's brick, grass and gravel photos).
Downloaded once into the Keras cache: ``mnist``, ``fashion_mnist``, ``cifar10``
(:mod:`cnnviz.kerasdata`).
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

from cnnviz import kerasdata, shapes
from cnnviz.errors import InputError

_SPLITS = ("train", "val", "test")


@dataclass
class Dataset:
    """Images and labels split into train / (validation) / test.

    Attributes:
        name: short name (``"shapes"``, ``"mnist"``, or the archive's name).
        x_train: (N, H, W, C) uint8 in 0..255, C = 1 (grayscale) or 3 (RGB).
        y_train: (N,) int64 class indices into ``class_names``.
        x_test: (M, H, W, C) uint8.
        y_test: (M,) int64.
        class_names: one name per class.
        x_val: (V, H, W, C) uint8, an explicit validation split, or None.
        y_val: (V,) int64, or None.
        boxes_test: (M, 4) int64 ``(x0, y0, x1, y1)`` object boxes (``shapes`` only): the
            object covers ``image[y0:y1, x0:x1]``.
        boxes_train: (N, 4) int64, like ``boxes_test``.
        options: the options it was loaded with: ``load(name, **options)`` loads it again.
        notes: things worth telling the student (skipped files, lopsided classes...).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    boxes_test: np.ndarray | None = None
    boxes_train: np.ndarray | None = None
    options: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of one image."""
        h, w, c = self.x_train.shape[1:]
        return int(h), int(w), int(c)

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def split(self, split: str = "train") -> tuple[np.ndarray | None, np.ndarray | None]:
        """Images and labels of ``"train"``, ``"val"`` or ``"test"`` (None, None if absent)."""
        if split not in _SPLITS:
            raise InputError(f"Unknown split {split!r}; choose one of {list(_SPLITS)}.")
        return getattr(self, f"x_{split}"), getattr(self, f"y_{split}")

    def class_counts(self, split: str = "train") -> dict[str, int]:
        """Images per class in a split, in class order (an absent split counts zero)."""
        _, y = self.split(split)
        counts = (
            np.zeros(self.num_classes, np.int64)
            if y is None
            else np.bincount(y, minlength=self.num_classes)
        )
        return {name: int(c) for name, c in zip(self.class_names, counts, strict=True)}

    def sample_indices(
        self, per_class: int = 8, split: str = "train", seed: int = 0
    ) -> dict[str, np.ndarray]:
        """Indices of up to ``per_class`` random images of each class, for a sample grid."""
        _, y = self.split(split)
        rng = np.random.default_rng(seed)
        out = {}
        for k, name in enumerate(self.class_names):
            idx = np.flatnonzero(y == k) if y is not None else np.zeros(0, np.int64)
            take = min(int(per_class), len(idx))
            out[name] = np.sort(rng.choice(idx, take, replace=False)) if take else idx[:0]
        return out


@dataclass(frozen=True)
class DatasetInfo:
    """What the dataset picker shows.

    Attributes:
        name: the name for :func:`load`.
        title: human title.
        description: one or two sentences for students.
        offline: True when it never needs the network.
        download_mb: approximate download size on first use (0 for offline sets).
        cached: True when it can be loaded now without the network.
        defaults: default options of :func:`load` for this dataset.
    """

    name: str
    title: str
    description: str
    offline: bool
    download_mb: float = 0.0
    cached: bool = True
    defaults: dict = field(default_factory=dict)


_DEFAULTS: dict[str, dict] = {
    "shapes": {
        "image_size": 32,
        "n_train": 4800,
        "n_test": 1200,
        "seed": 0,
        "noise": 0.05,
        "grayscale": False,
    },
    "find_shapes": {
        "image_size": 64,
        "n_train": 4800,
        "n_test": 1200,
        "seed": 0,
        "noise": 0.05,
        "grayscale": False,
        "radius": (0.1, 0.2),
        "clutter": 8,
    },
    "digits": {"upscale": 28, "test_fraction": 0.2, "seed": 0},
    "faces": {"upscale": 32, "test_fraction": 0.2, "seed": 0},
    "textures": {"patch": 64, "n_per_class": 80, "seed": 0},
    "mnist": {"n_train": None, "n_test": None, "seed": 0},
    "fashion_mnist": {"n_train": None, "n_test": None, "seed": 0},
    "cifar10": {"n_train": None, "n_test": None, "seed": 0},
}

_TEXT = {
    "shapes": (
        "Synthetic shapes",
        "Circles, squares, triangles, stars, crosses and ellipses at random places, sizes "
        "and colours on noisy backgrounds. Each image knows where its shape is.",
    ),
    "find_shapes": (
        "Find the shape",
        "Small shapes (a tenth to a fifth of the side) among stray lines on 64×64 noisy "
        "backgrounds: the network must find the figure, so heatmaps can be checked.",
    ),
    "digits": (
        "Digits (8×8)",
        "1,797 small handwritten digits from scikit-learn, upscaled and framed like MNIST.",
    ),
    "faces": (
        "Faces vs non-faces",
        "200 tiny grayscale crops from scikit-image: 100 faces and 100 background patches.",
    ),
    "textures": (
        "Textures (real photos)",
        "Patches cut from scikit-image's photos of brick, grass and gravel: a small "
        "real-photo set for transfer learning (test patches come from another part of "
        "each photo).",
    ),
    "mnist": ("MNIST", "70,000 handwritten digits, 28×28 grayscale."),
    "fashion_mnist": (
        "Fashion-MNIST",
        "70,000 photos of clothes in 10 classes, 28×28 grayscale.",
    ),
    "cifar10": (
        "CIFAR-10",
        "60,000 small colour photos of planes, cars, birds, cats... in 10 classes, 32×32.",
    ),
}

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR10_CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]


def available() -> list[DatasetInfo]:
    """Every dataset :func:`load` knows, offline ones first.

    Returns:
        One :class:`DatasetInfo` per name; ``cached`` is checked now (no network used).
    """
    out = []
    for name, defaults in _DEFAULTS.items():
        title, text = _TEXT[name]
        offline = name not in kerasdata.SOURCES
        out.append(
            DatasetInfo(
                name=name,
                title=title,
                description=text,
                offline=offline,
                download_mb=0.0 if offline else kerasdata.SOURCES[name].download_mb,
                cached=offline or kerasdata.is_cached(name),
                defaults=dict(defaults),
            )
        )
    return out


def load(name: str, **options) -> Dataset:
    """Load a dataset by name.

    Args:
        name: one of the names of :func:`available`.
        **options: per dataset (defaults in ``DatasetInfo.defaults``):

            - ``shapes``: ``image_size`` (16..256), ``n_train``, ``n_test``, ``seed``,
              ``noise`` (0..0.5), ``grayscale``, ``classes`` (a subset of the figure names).
            - ``textures``: ``patch`` (side, 16..128), ``n_per_class`` (training patches per
              class; a quarter as many test patches), ``seed``.
            - ``find_shapes``: the same options plus ``radius`` ((low, high) figure size
              as a fraction of the side, default 0.1..0.2) and ``clutter`` (distractor
              strokes per image, default 8); 64×64 by default. Boxes as ``shapes``.
            - ``digits`` / ``faces``: ``upscale`` (side in pixels, or None for the native
              8 / 25; upscaled digits are framed like MNIST, the digit filling the central
              20/28 on black), ``test_fraction``, ``seed``.
            - ``mnist`` / ``fashion_mnist`` / ``cifar10``: ``n_train`` / ``n_test`` (random
              subsets, None = all), ``seed``, ``progress`` (a callable
              ``progress(fraction or None, message)`` told about the download).
            - any name with ``saved=<path>`` (as in the options of a :func:`from_zip`
              dataset): the dataset saved there.

    Returns:
        The dataset; ``dataset.options`` holds the options used (without ``progress``).

    Raises:
        InputError: unknown name or option, a bad option value, or a download that failed
            (the message says which file to place in which folder).
    """
    if "saved" in options:  # a dataset from an archive, saved by from_zip
        return load_saved(options["saved"])
    if name not in _DEFAULTS:
        raise InputError(f"Unknown dataset {name!r}; choose one of {list(_DEFAULTS)}.")
    progress = options.pop("progress", None)
    shapes_like = name in ("shapes", "find_shapes")
    allowed = set(_DEFAULTS[name]) | ({"classes"} if shapes_like else set())
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputError(
            f"Dataset {name!r} has no option {', '.join(unknown)}; "
            f"its options are {sorted(allowed)}."
        )
    opts = {**_DEFAULTS[name], **options}
    if shapes_like:
        ds = _load_shapes(name=name, **opts)
    elif name == "digits":
        ds = _load_digits(**opts)
    elif name == "faces":
        ds = _load_faces(**opts)
    elif name == "textures":
        ds = _load_textures(**opts)
    else:
        ds = _load_keras(name, progress=progress, **opts)
    ds.options = opts
    return ds


def _load_shapes(
    image_size,
    n_train,
    n_test,
    seed,
    noise,
    grayscale,
    classes=None,
    radius=None,
    clutter=0,
    name="shapes",
) -> Dataset:
    n_train, n_test = _count(n_train, "n_train"), _count(n_test, "n_test")
    kwargs = {"noise": noise, "classes": classes, "grayscale": grayscale, "clutter": clutter}
    if radius is not None:
        kwargs["radius"] = tuple(radius)
    # Test images come from a different seed stream so that changing n_train leaves them alone.
    train = shapes.generate(n_train, image_size, seed=[int(seed), 0], **kwargs)
    test = shapes.generate(n_test, image_size, seed=[int(seed), 1], **kwargs)
    return Dataset(
        name=name,
        x_train=train.images,
        y_train=train.labels,
        x_test=test.images,
        y_test=test.labels,
        class_names=list(train.class_names),
        boxes_train=train.boxes,
        boxes_test=test.boxes,
    )


def _count(value, what: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a whole number, got {value!r}.") from None
    if n < 1:
        raise InputError(f"{what} must be at least 1, got {n}.")
    return n


def stratified_split(
    y: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices so that every class keeps the same share in both parts.

    Args:
        y: (N,) int class labels.
        test_fraction: share of each class that goes to the test part (0 < f < 1). A class
            with at least two images always keeps one on each side.
        seed: random order of the split.

    Returns:
        (train indices, test indices), each sorted, together a partition of ``range(N)``.
    """
    frac = float(test_fraction)
    if not 0 < frac < 1:
        raise InputError(f"Test fraction must be between 0 and 1, got {test_fraction}.")
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n_test = 0 if len(idx) < 2 else min(len(idx) - 1, max(1, round(frac * len(idx))))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    if not train:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _resize_batch(x: np.ndarray, side: int | None, inner: float = 1.0) -> np.ndarray:
    """(N, h, w) uint8 → (N, side, side, 1) uint8 (unchanged size when side is None).

    With ``inner`` < 1 the image is resized to ``inner × side`` and centred on a black frame.
    """
    if side is not None:
        side = int(side)
        if not 8 <= side <= 256:
            raise InputError(f"Upscale size must be between 8 and 256 pixels, got {side}.")
        size = max(1, round(side * inner))
        interp = cv2.INTER_AREA if size < x.shape[1] else cv2.INTER_LINEAR
        small = np.stack([cv2.resize(img, (size, size), interpolation=interp) for img in x])
        before = (side - size) // 2
        pad = (before, side - size - before)
        x = np.pad(small, ((0, 0), pad, pad))
    return x[..., None]


def _split_dataset(name, x, y, class_names, test_fraction, seed) -> Dataset:
    train, test = stratified_split(y, test_fraction, seed)
    return Dataset(name, x[train], y[train], x[test], y[test], class_names)


def _load_digits(upscale, test_fraction, seed) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixel values are 0..16 (counts of set pixels in 4×4 blocks); stretch to 0..255.
    x = np.round(bunch.images * (255 / 16)).astype(np.uint8)
    y = bunch.target.astype(np.int64)
    names = [str(i) for i in range(10)]
    # Framed like MNIST: the digit fills the central 20/28 of the image, on black.
    x = _resize_batch(x, upscale, inner=20 / 28)
    return _split_dataset("digits", x, y, names, test_fraction, seed)


def _load_faces(upscale, test_fraction, seed) -> Dataset:
    from skimage.data import lfw_subset

    images = lfw_subset()  # (200, 25, 25) float in 0..1: 100 faces, then 100 non-faces
    x = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    y = np.where(np.arange(len(x)) < 100, 1, 0).astype(np.int64)
    names = ["non-face", "face"]
    return _split_dataset("faces", _resize_batch(x, upscale), y, names, test_fraction, seed)


TEXTURE_CLASSES = ("brick", "grass", "gravel")


def _load_textures(patch, n_per_class, seed) -> Dataset:
    """Random square patches of three 512×512 grayscale photos of scikit-image.

    Training patches lie in the top three quarters of each photo, test patches in the
    bottom quarter, so no test pixel was ever seen in training.
    """
    import skimage.data

    patch, n = int(patch), _count(n_per_class, "n_per_class")
    if not 16 <= patch <= 128:
        raise InputError(f"Patch size must be between 16 and 128 pixels, got {patch}.")
    rng = np.random.default_rng(int(seed))
    xs = {"train": [], "test": []}
    ys = {"train": [], "test": []}
    for k, name in enumerate(TEXTURE_CLASSES):
        photo = np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)
        cut = photo.shape[0] * 3 // 4
        regions = {"train": photo[:cut], "test": photo[cut:]}
        for split, count in (("train", n), ("test", max(1, n // 4))):
            region = regions[split]
            rows = rng.integers(0, region.shape[0] - patch + 1, count)
            cols = rng.integers(0, region.shape[1] - patch + 1, count)
            xs[split] += [
                region[r : r + patch, c : c + patch] for r, c in zip(rows, cols, strict=True)
            ]
            ys[split] += [k] * count
    x_train = np.stack(xs["train"])[..., None]
    x_test = np.stack(xs["test"])[..., None]
    return Dataset(
        "textures",
        x_train,
        np.asarray(ys["train"], np.int64),
        x_test,
        np.asarray(ys["test"], np.int64),
        list(TEXTURE_CLASSES),
    )


def _subset(x, y, n, seed, what) -> tuple[np.ndarray, np.ndarray]:
    if n is None or int(n) >= len(y):
        return x, y
    idx = np.sort(np.random.default_rng(seed).permutation(len(y))[: _count(n, what)])
    return x[idx], y[idx]


def _load_keras(name, n_train, n_test, seed, progress=None) -> Dataset:
    (x_train, y_train), (x_test, y_test) = kerasdata.load_arrays(name, progress=progress)
    x_train, y_train = _subset(x_train, y_train, n_train, [int(seed), 0], "n_train")
    x_test, y_test = _subset(x_test, y_test, n_test, [int(seed), 1], "n_test")
    names = {
        "mnist": [str(i) for i in range(10)],
        "fashion_mnist": FASHION_CLASSES,
        "cifar10": CIFAR10_CLASSES,
    }[name]
    return Dataset(name, x_train, y_train, x_test, y_test, list(names))


def from_zip(
    source: bytes | str | os.PathLike | BinaryIO,
    workdir: str | os.PathLike,
    image_size: int = 64,
    *,
    keep: str | None = "arrays",
    **options,
) -> Dataset:
    """A dataset from a user's ``.zip`` of class folders, validated before anything is written.

    Layouts: ``train/<class>/*`` with optional ``validation/`` (or ``val/``) and ``test/``;
    ``training_set/`` and ``test_set/`` (also doubled, ``training_set/training_set/<class>``);
    ``<name>/<class>/*`` with ``validation-<name>/<class>/*`` beside it; or just
    ``<class>/*`` (split into train and test per class). Wrapper folders are fine. Class
    names are the real classes, never split folders. With a validation split and no test
    split, every training image trains and the validation images are also the test set
    (the held-out set results are reported on). ``__MACOSX``, dotfiles and non-image files
    are ignored.

    Args:
        source: the archive as bytes, a path, or a binary file object.
        workdir: the only folder this function writes to: the decoded arrays are saved
            there as ``dataset.npz`` (see :func:`load_saved`).
        image_size: side of the square images (64, 150 as in the courses, 224 for a
            pretrained base...).
        keep: ``"arrays"`` saves the decoded images (compressed ``dataset.npz``);
            ``"archive"`` keeps the archive itself as ``archive.zip`` with its options in
            ``archive.json``, decoded again by :func:`load_saved`: small images resized up
            take many times their archive's size even compressed, the archive does not.
            None writes nothing.
        **options: ``min_per_class`` (default 5), ``test_fraction`` (flat layout, default 0.2),
            ``seed``, ``color`` (``"auto"``, ``"rgb"`` or ``"gray"``), ``name``, and the caps
            ``max_files``, ``max_total_bytes``, ``max_pixels`` (see
            :func:`cnnviz.archives.read_image_zip`).

    Returns:
        The dataset; ``notes`` lists skipped files and lopsided class counts.

    Raises:
        InputError: naming the problem (and the entry) for an unsafe, damaged or unusable
            archive.
    """
    from cnnviz import archives

    result = archives.read_image_zip(source, image_size=image_size, **options)
    train, val, test = result.splits["train"], result.splits.get("val"), result.splits.get("test")
    notes = list(result.notes)
    if test is None and val is not None:
        # The courses' layout: every train/ image trains, the given validation images are
        # the held-out set (validation curve and the reported results).
        test = val
        notes.append(
            f"No test/ folder: the {len(val[1])} validation images are the held-out set the "
            "results are reported on; all training images train."
        )
    if test is None:
        tr, te = stratified_split(train[1], result.test_fraction, result.seed)
        train, test = (train[0][tr], train[1][tr]), (train[0][te], train[1][te])
        notes.append(
            f"No test/ folder: {len(te)} of the training images were set aside for testing."
        )
    ds = Dataset(
        name=result.name,
        x_train=train[0],
        y_train=train[1],
        x_test=test[0],
        y_test=test[1],
        class_names=result.class_names,
        x_val=None if val is None else val[0],
        y_val=None if val is None else val[1],
        options=dict(result.options),
        notes=notes,
    )
    if keep == "archive":
        kept = {**options, "image_size": image_size, "name": ds.name}
        ds.options["saved"] = str(_save_archive(source, Path(workdir), kept))
    elif keep == "arrays":
        ds.options["saved"] = str(save(ds, Path(workdir) / "dataset.npz"))
    elif keep is not None:
        raise ValueError(f"keep must be 'arrays', 'archive' or None, got {keep!r}")
    return ds


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _save_archive(source, workdir: Path, options: dict) -> Path:
    """Keep an already validated archive and the options it was decoded with."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        data = Path(source).read_bytes()
    else:
        source.seek(0)
        data = source.read()
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "archive.zip"
    # The options first: an archive is only listed once both are complete.
    _atomic_write(workdir / "archive.json", json.dumps(options, default=str).encode())
    _atomic_write(path, data)
    return path


def save(dataset: Dataset, path: str | os.PathLike) -> Path:
    """Write a dataset's arrays to one compressed ``.npz`` file atomically (no pickles).

    Compressed because uploads of small images are resized up and repeat a lot: a 1.7 MB
    archive of tiny images takes a few MB on disk instead of over a hundred.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x_train": dataset.x_train,
        "y_train": dataset.y_train,
        "x_test": dataset.x_test,
        "y_test": dataset.y_test,
        "class_names": np.asarray(dataset.class_names, dtype=str),
        "name": np.asarray(dataset.name, dtype=str),
        "meta": np.asarray(
            json.dumps({"options": dataset.options, "notes": dataset.notes}, default=str)
        ),
    }
    for key in ("x_val", "y_val", "boxes_train", "boxes_test"):
        if getattr(dataset, key) is not None:
            arrays[key] = getattr(dataset, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_saved(path: str | os.PathLike) -> Dataset:
    """Read a dataset written by :func:`save` or kept by :func:`from_zip`.

    Args:
        path: a ``dataset.npz``, or an ``archive.zip`` kept with ``keep="archive"`` (decoded
            again with the options saved beside it).

    Raises:
        InputError: when the file is missing or not a saved dataset.
    """
    if Path(path).suffix == ".zip":
        path = Path(path)
        try:
            options = json.loads(path.with_name("archive.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"The uploaded dataset {path.parent.name} is incomplete.") from None
        ds = from_zip(path, path.parent, keep=None, **options)
        ds.options["saved"] = str(path)
        return ds
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {key: f[key] for key in f.files}
        ds = Dataset(
            name=str(data["name"]),
            x_train=data["x_train"],
            y_train=data["y_train"].astype(np.int64),
            x_test=data["x_test"],
            y_test=data["y_test"].astype(np.int64),
            class_names=[str(c) for c in data["class_names"]],
            x_val=data.get("x_val"),
            y_val=data.get("y_val"),
            boxes_train=data.get("boxes_train"),
            boxes_test=data.get("boxes_test"),
        )
        meta = json.loads(str(data["meta"])) if "meta" in data else {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"Could not read the saved dataset {Path(path).name} ({type(exc).__name__})."
        ) from None
    ds.options = {**meta.get("options", {}), "saved": str(path)}
    ds.notes = list(meta.get("notes", []))
    return ds


def to_rgb(x: np.ndarray) -> np.ndarray:
    """Images for display: grayscale repeated to three channels.

    Args:
        x: (N, H, W, C) with C in {1, 3}, or (N, H, W) grayscale; uint8 0..255, or floats in
            0..1 (scaled by 255).

    Returns:
        (N, H, W, 3) uint8, a new array.
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        x = np.clip(np.round(x.astype(np.float32) * 255), 0, 255).astype(np.uint8)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise InputError(f"Expected images (N, H, W, 1 or 3), got shape {x.shape}.")
    return np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x.copy()
