"""Real examples: the dataset patches that excite a filter most.

People predict what a unit does better from real examples than from synthetic pictures
(Borowski et al., ICLR 2021), so the page shows both side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import activations, models
from cnnviz.errors import InputError
from cnnviz.featureviz.render import luma_rgb
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import Preprocessing, unit

_GREY = 128  # fills the part of a receptive field that lies outside the image


@dataclass(frozen=True)
class Exemplars:
    """The top-k images of each filter, cropped to the filter's receptive field.

    ``k`` is at most the number of images given; each image appears at most once per filter
    (at its strongest cell), best first.

    Attributes:
        patches: (n_filters, k, ph, pw, 3) uint8 RGB; (ph, pw) is the receptive field's size
            (the whole input for a dense layer or unknown geometry). The part of the field
            outside the image is grey (128). Grey R = G = B for a grayscale model.
        scores: (n_filters, k) float32, the filter's activation at that cell.
        image_index: (n_filters, k) int64 index into ``images``.
        cell: (n_filters, k, 2) int64 (row, column) of the strongest cell in the layer's map.
        boxes: (n_filters, k, 4) int64 ``(x0, y0, x1, y1)`` of the patch in the image at the
            model's input size, clipped to the image (exclusive ends).
    """

    patches: np.ndarray
    scores: np.ndarray
    image_index: np.ndarray
    cell: np.ndarray
    boxes: np.ndarray


def _display_images(model: models.ModelLike, images) -> np.ndarray:
    """(M, h, w, 3) uint8 RGB at the model's input size, as the model will see them."""
    batch = [images] if isinstance(images, np.ndarray) and images.ndim == 3 else list(images)
    if not batch:
        raise InputError("No image given.")
    rgb = []
    for img in batch:
        img = np.asarray(img)
        if img.ndim == 2:
            img = img[..., None]
        if img.ndim != 3 or img.shape[2] not in (1, 3):
            raise InputError(f"Expected images (H, W, 1 or 3), got shape {img.shape}.")
        if img.dtype != np.uint8:
            img = np.clip(np.rint(img.astype(np.float32) * 255), 0, 255).astype(np.uint8)
        rgb.append(np.repeat(img, 3, axis=2) if img.shape[2] == 1 else img)
    if isinstance(model, ImageModel):
        return model.resize(rgb)
    h, w = (int(v) for v in models.input_shape(model)[:2])
    if any(img.shape[:2] != (h, w) for img in rgb):
        raise InputError(f"The images must be {h} × {w} pixels for this model.")
    return np.stack(rgb)


def top_exemplars(
    model: models.ModelLike,
    layer_name: str,
    filter_indices: Sequence[int],
    images,
    k: int = 9,
    *,
    batch_size: int = 64,
    preprocessing: Preprocessing | None = None,
) -> Exemplars:
    """The ``k`` images whose strongest response in each filter is largest, as patches.

    Every image is run once (in batches); for each filter its largest activation over the
    map ranks the image, and the patch is the receptive field of that cell
    (:func:`cnnviz.models.receptive_field`). The activation is the layer's output
    (after its ReLU), what the student sees on the activation pages.

    Args:
        model: an ``ImageModel`` (images are resized to its input and preprocessed) or a
            ``keras.Model`` (images at its input size; ``preprocessing`` default
            :func:`cnnviz.models.preprocessing.unit`, grayscale for one input channel).
        layer_name: a convolution (4-D) or dense (2-D) layer key.
        filter_indices: the filters (channels) wanted.
        images: (M, H, W, C) uint8 with C = 1 or 3, or a list of (H, W, C) images (any size
            for an ``ImageModel``).
        k: patches per filter (at most M).
        batch_size: images per forward pass.
        preprocessing: only for a bare ``keras.Model``.

    Returns:
        An :class:`Exemplars`.

    Raises:
        InputError: unknown layer, filter out of range, no images, or wrong image sizes.
    """
    info = models.layer_info(model, layer_name)
    if len(info.output_shape) not in (1, 3):
        raise InputError(
            f"Layer {layer_name!r} outputs shape {info.output_shape}; pick a convolution or "
            "dense layer."
        )
    channels = int(info.output_shape[-1])
    indices = np.asarray([int(i) for i in filter_indices], dtype=np.int64)
    if indices.size == 0:
        raise InputError("Pick at least one filter.")
    bad = [int(i) for i in indices if not 0 <= i < channels]
    if bad:
        raise InputError(f"Filter {bad[0]} does not exist: layer {layer_name!r} has {channels}.")
    rgb = _display_images(model, images)
    if isinstance(model, ImageModel):
        prep = model.preprocessing
    else:
        prep = preprocessing or unit(grayscale=models.input_shape(model)[-1] == 1)
    if prep.grayscale:  # show what a grayscale model sees: its luma, as grey
        rgb = luma_rgb(rgb, prep)
    km = models.keras_model(model)
    spatial = len(info.output_shape) == 3
    best = []  # per batch: (M_b, n) max activation and (M_b, n) flat argmax
    for start in range(0, len(rgb), max(1, int(batch_size))):
        x = prep.apply(rgb[start : start + batch_size].astype(np.float32))
        act = activations.layer_activations(km, x, [layer_name])[layer_name][..., indices]
        if spatial:
            flat = act.reshape(act.shape[0], -1, len(indices))  # (M_b, h*w, n)
            best.append((flat.max(axis=1), flat.argmax(axis=1)))
        else:
            best.append((act, np.zeros(act.shape, np.int64)))
    peak = np.concatenate([b[0] for b in best])  # (M, n)
    where = np.concatenate([b[1] for b in best])  # (M, n)
    k = max(1, min(int(k), len(rgb)))
    order = np.argsort(-peak, axis=0, kind="stable")[:k].T  # (n, k) image indices
    geometry = models.receptive_field(model, layer_name) if spatial else None
    size = rgb.shape[1:3]
    map_w = int(info.output_shape[1]) if spatial else 1
    if geometry is None:
        ph, pw = size
    else:
        ph, pw = geometry.size
    patches = np.full((len(indices), k, ph, pw, 3), _GREY, np.uint8)
    cells = np.zeros((len(indices), k, 2), np.int64)
    boxes = np.zeros((len(indices), k, 4), np.int64)
    for f in range(len(indices)):
        for r, m in enumerate(order[f]):
            i, j = divmod(int(where[m, f]), map_w)
            cells[f, r] = (i, j)
            if geometry is None:
                boxes[f, r] = (0, 0, size[1], size[0])
                patches[f, r] = rgb[m]
                continue
            x0, y0, x1, y1 = geometry.window(i, j, size)
            boxes[f, r] = (x0, y0, x1, y1)
            # Where the clipped window sits inside the full field (grey outside the image).
            top = round(geometry.offset[0] + i * geometry.stride[0] - (ph - 1) / 2)
            left = round(geometry.offset[1] + j * geometry.stride[1] - (pw - 1) / 2)
            py, px = y0 - top, x0 - left
            hh, ww = min(y1 - y0, ph - py), min(x1 - x0, pw - px)
            patches[f, r, py : py + hh, px : px + ww] = rgb[m, y0 : y0 + hh, x0 : x0 + ww]
    scores = np.take_along_axis(peak.T, order, axis=1).astype(np.float32)
    return Exemplars(patches, scores, order.astype(np.int64), cells, boxes)
