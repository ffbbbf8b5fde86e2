"""Where an inspection page gets its image: the model's own test set, or the shared picker.

A model trained here knows its dataset (``info["dataset"] = {"name", "options"}``); when that
dataset can be rebuilt offline (synthetic ``shapes``, ``digits``, ``faces``, a Keras dataset
already in the cache, or a saved archive), the student can browse its test images by class
and index and sees the true label, and for ``shapes`` the object's box. Otherwise (pretrained
and uploaded models) the shared :func:`~cnnviz.ui.common.image_picker.image_picker` is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz import datasets
from cnnviz.caching import digest
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common.drawing_pad import draw_ui, drawable
from cnnviz.ui.common.image_picker import image_picker
from cnnviz.ui.common.text import plain

TEST_SET = "Model's test set"
OWN_IMAGE = "Sample, upload or camera"
DRAW = "Draw"
_ANY_CLASS = "any class"


@dataclass(frozen=True)
class PickedImage:
    """An image chosen for inspection, with what is known about it.

    Attributes:
        image: (H, W, 3) uint8 RGB (grayscale test images are repeated to 3 channels).
        caption: where it comes from, for captions.
        true_label: the class name from the test set, or ``None``.
        true_index: the class index from the test set, or ``None``.
        box: ``(x0, y0, x1, y1)`` of the object in ``image`` pixels (``shapes``), or ``None``.
    """

    image: np.ndarray
    caption: str
    true_label: str | None = None
    true_index: int | None = None
    box: tuple[int, int, int, int] | None = None

    @property
    def digest(self) -> str:
        """A short hash of the pixels, for cache keys."""
        return image_digest(self.image)


def image_digest(image: np.ndarray) -> str:
    """Hex digest of an image's shape and pixels (:func:`cnnviz.caching.digest`)."""
    return digest(np.asarray(image))


# ---------------------------------------------------------------------------------------------
# The model's test set
# ---------------------------------------------------------------------------------------------


def _dataset_spec(model: ImageModel) -> tuple[str, dict] | None:
    """(name, options) of the dataset a stored model was trained on, or ``None``."""
    info = model.info if isinstance(model.info, dict) else {}
    spec = info.get("dataset")
    if not isinstance(spec, dict) or not spec.get("name"):
        return None
    options = spec.get("options") or {}
    return str(spec["name"]), dict(options) if isinstance(options, dict) else {}


def _reloadable(name: str, options: dict) -> bool:
    """True when the dataset can be rebuilt now without a network."""
    saved = options.get("saved")
    if saved:
        return Path(str(saved)).is_file()
    for entry in datasets.available():
        if entry.name == name:
            return entry.offline or entry.cached
    return False


@st.cache_resource(max_entries=8, show_spinner="Loading the model's test images…")
def _load_test_set(name: str, options_json: str) -> datasets.Dataset:
    """The dataset, rebuilt once per server for (name, options). Treat it as read-only."""
    options = json.loads(options_json)
    if options.get("saved"):
        return datasets.load_saved(options["saved"])
    if name in ("shapes", "find_shapes"):
        # The test images come from their own seed stream: a tiny training set leaves them
        # unchanged and saves generating thousands of training images.
        options["n_train"] = 1
    return datasets.load(name, **options)


def test_set(model: ImageModel) -> datasets.Dataset | None:
    """The model's test set when it can be rebuilt offline, else ``None``.

    Raises:
        InputError: the stored dataset description is unusable (e.g. an unknown option).
    """
    spec = _dataset_spec(model)
    if spec is None or not _reloadable(*spec):
        return None
    name, options = spec
    ds = _load_test_set(name, json.dumps(options, sort_keys=True, default=str))
    if ds.x_test is None or len(ds.x_test) == 0:
        return None
    return ds


@st.cache_resource(max_entries=8, show_spinner=False)
def _rgb_test_images(name: str, options_json: str) -> np.ndarray:
    """(M, H, W, 3) uint8 test images for display, shared read-only (no copy per rerun)."""
    rgb = datasets.to_rgb(_load_test_set(name, options_json).x_test)
    rgb.setflags(write=False)
    return rgb


def _test_set_image(model: ImageModel, ds: datasets.Dataset, key: str, default_pos: int):
    """Widgets to browse the test set by class and position; returns a PickedImage."""
    spec = _dataset_spec(model)
    rgb = _rgb_test_images(spec[0], json.dumps(spec[1], sort_keys=True, default=str))
    names = list(ds.class_names)
    cls = st.selectbox("Class", [_ANY_CLASS, *names], key=f"{key}_class")
    indices = (
        np.arange(len(ds.y_test))
        if cls == _ANY_CLASS
        else np.flatnonzero(ds.y_test == names.index(cls))
    )
    if len(indices) == 0:
        st.warning(f"The test set has no image of class {plain(cls)}.")
        return None
    position = st.number_input(
        f"Test image (1–{len(indices)})",
        min_value=1,
        max_value=len(indices),
        value=min(default_pos + 1, len(indices)),
        step=1,
        key=f"{key}_index",
    )
    i = int(indices[int(position) - 1])
    label_index = int(ds.y_test[i])
    box = None
    if ds.boxes_test is not None and len(ds.boxes_test) == len(ds.y_test):
        box = tuple(int(v) for v in ds.boxes_test[i])
    return PickedImage(
        image=rgb[i],
        # Numbered as the "Test image" box counts, from 1 (within the class when one is picked).
        caption=f"test image #{int(position)}" + ("" if cls == _ANY_CLASS else " of its class"),
        true_label=names[label_index] if 0 <= label_index < len(names) else None,
        true_index=label_index,
        box=box,
    )


# ---------------------------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------------------------


def image_source(
    key: str,
    model: ImageModel | None,
    *,
    label: str = "Image",
    default_sample: str = "cat",
    default_position: int = 0,
    preview: bool = True,
) -> PickedImage | None:
    """Let the student choose the image to inspect.

    For a model whose test set can be rebuilt offline, a radio offers "Model's test set"
    (default) or the shared picker; otherwise only the shared picker is shown.

    Args:
        key: unique prefix for the widget keys (two sources can share a page).
        model: the picked model (``None``: only the shared picker).
        label: heading shown above the controls.
        default_sample: gallery sample selected first in the shared picker.
        default_position: test-set position (0-based) selected first.
        preview: show a thumbnail of the chosen image.

    Returns:
        The image with its true label and box when known, or ``None`` while nothing usable
        is chosen (a message is shown).
    """
    ds = None
    if model is not None:
        try:
            ds = test_set(model)
        except InputError as err:
            st.warning(f"The model's test set cannot be rebuilt: {plain(err)}")
    if ds is None:
        image = image_picker(
            f"{key}_picker", default_sample=default_sample, label=label, preview=preview
        )
        return None if image is None else PickedImage(image=image, caption=_own_caption(label))
    st.markdown(f"**{label}**")
    source = st.radio(
        "Image source",
        [TEST_SET, OWN_IMAGE, *([DRAW] if drawable(model) else [])],
        horizontal=True,
        key=f"{key}_source",
        label_visibility="collapsed",
    )
    if source == DRAW:
        image = draw_ui(f"{key}_draw", model)
        return None if image is None else PickedImage(image=image, caption="your drawing")
    if source == OWN_IMAGE:
        # The heading is already drawn above: the picker gets none of its own.
        image = image_picker(f"{key}_picker", default_sample=default_sample, label="",
                             preview=preview)  # fmt: skip
        return None if image is None else PickedImage(image=image, caption=_own_caption(label))
    picked = _test_set_image(model, ds, key, default_position)
    if picked is not None and preview:
        h, w = picked.image.shape[:2]
        st.image(
            picked.image,
            caption=f"{plain(picked.caption)} · true class: {plain(picked.true_label)} · {w}×{h}",
            width=160,
        )
    return picked


def _own_caption(label: str) -> str:
    """The caption of an own image: the heading in lower case ("second image"), or "your image"."""
    words = label.strip()
    if words.lower() in ("", "image", "your image"):
        return "your image"
    return words[0].lower() + words[1:]
