"""A dataset from a user's ``.zip`` of class folders, kept in their workspace and read back."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from cnnviz.datasets.dataset import Dataset
from cnnviz.datasets.saved import atomic_write, load_npz, save
from cnnviz.datasets.splitting import stratified_split
from cnnviz.datasets.zip_read import read_image_zip
from cnnviz.errors import InputError

#: The image sides offered for an archive: 64 (small drawings, digits), 150 (the photo
#: courses: cats and dogs, flowers), 224 (a pretrained base's own size), 300 (horse-or-human).
ZIP_IMAGE_SIZES = (64, 150, 224, 300)
#: The side the pages start from for a photo archive, as the courses resize them.
PHOTO_ZIP_IMAGE_SIZE = 150


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
        image_size: side of the square images, 8..512 (:data:`ZIP_IMAGE_SIZES` lists the
            usual ones: 150 as in the photo courses, 224 for a pretrained base, 300 for
            horse-or-human).
        keep: ``"arrays"`` saves the decoded images (compressed ``dataset.npz``);
            ``"archive"`` keeps the archive itself as ``archive.zip`` with its options in
            ``archive.json``, decoded again by :func:`load_saved`: small images resized up
            take many times their archive's size even compressed, the archive does not.
            None writes nothing.
        **options: ``min_per_class`` (default 5), ``test_fraction`` (flat layout, default 0.2),
            ``seed``, ``color`` (``"auto"``, ``"rgb"`` or ``"gray"``), ``name``, and the caps
            ``max_files``, ``max_total_bytes``, ``max_pixels`` (see
            :func:`cnnviz.datasets.zip_read.read_image_zip`).

    Returns:
        The dataset; ``notes`` lists skipped files and lopsided class counts.

    Raises:
        InputError: naming the problem (and the entry) for an unsafe, damaged or unusable
            archive.
    """
    result = read_image_zip(source, image_size=image_size, **options)
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
    atomic_write(workdir / "archive.json", json.dumps(options, default=str).encode())
    atomic_write(path, data)
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
    return load_npz(path)
