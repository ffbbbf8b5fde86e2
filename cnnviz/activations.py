"""Per-layer activations from one forward pass, and helpers to show them.

Core of the Activations page:

* :func:`model_input` — turn what the page has (RGB images for an ``ImageModel``, or an
  already preprocessed batch for a bare ``keras.Model``) into the model's input batch.
* :func:`layer_activations` — every requested layer's output from ONE forward pass.
* :func:`channel_stats` — per-channel mean / max and the channels that stay at zero.
* :func:`channel_grid` — a mosaic of channel maps for one plotly heatmap.
* :func:`first_conv_kernels` — the first convolution's kernels as small RGB images.
* :func:`tile_images` — a gallery mosaic of RGB images (kernels, filter visualizations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz import models
from cnnviz.errors import InputError
from cnnviz.models import ImageModel

# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def model_input(model: models.ModelLike, images) -> np.ndarray:
    """Build the model's input batch from what the caller has.

    Args:
        model: an ``ImageModel`` or a ``keras.Model``.
        images: for an ``ImageModel``: RGB uint8 images, one (H, W, 3) or a batch / list of
            them of any size (resized to ``input_size`` and preprocessed here). For a bare
            ``keras.Model``: an already preprocessed float batch (N, H, W, C) matching the
            model input, or one such image (H, W, C).

    Returns:
        (N, h, w, C) float32 model input (a new array; ``images`` is not modified).

    Raises:
        InputError: wrong shape, empty batch, or sizes that do not match the model.
    """
    if isinstance(model, ImageModel):
        if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[0] == 0:
            raise InputError("No image given.")
        if isinstance(images, (list, tuple)) and not images:
            raise InputError("No image given.")
        return model.preprocess(images)
    expected = models.input_shape(model)
    x = np.array(images, dtype=np.float32, copy=True)
    if x.ndim == len(expected):
        x = x[None]
    if x.ndim != len(expected) + 1 or x.shape[0] == 0:
        raise InputError(
            f"Expected a batch of shape (N, {', '.join(map(str, expected))}), got {x.shape}."
        )
    for got, want in zip(x.shape[1:], expected, strict=True):
        if want is not None and got != want:
            raise InputError(
                f"The model expects inputs of shape {expected}, got {x.shape[1:]}: resize "
                "and preprocess first, or pass an ImageModel with raw RGB images."
            )
    return x


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------


def layer_activations(
    model: models.ModelLike, images, layer_names: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Outputs of many layers from a single forward pass.

    One sub-model with one output per requested layer is built (and cached per model and
    layer list), then called once with ``training=False``. Nested models are flattened, so
    their inner layers can be requested by name (see :func:`cnnviz.models.layer_infos`).

    Args:
        model: an ``ImageModel`` (``images`` are RGB uint8, any size) or a ``keras.Model``
            (``images`` are the preprocessed (N, H, W, C) float input); see
            :func:`model_input`.
        images: see ``model``; a single image gets a batch axis of 1.
        layer_names: layer keys in the order wanted; ``None`` means every layer.

    Returns:
        ``{layer key: activations}``, in the order of ``layer_names``; each value is a
        float32 array with the batch axis first: (N, H, W, C) for convolution-like layers,
        (N, units) for dense ones. Values are the layer's raw outputs (any real range).

    Raises:
        InputError: unknown layer name, or images that do not fit the model.
    """
    names = models.layer_names(model) if layer_names is None else list(layer_names)
    if not names:
        raise InputError("Pick at least one layer.")
    x = model_input(model, images)
    sub = models.multi_output_model(model, names)
    outputs = sub(x, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {
        name: np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32)
        for name, out in zip(names, outputs, strict=True)
    }


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelStats:
    """Per-channel summary of one image's activations at one layer.

    Attributes:
        mean: (C,) float32, mean activation of each channel over its map.
        max: (C,) float32, largest activation of each channel.
        dead: (C,) bool, True where the channel is zero everywhere for this input (e.g. a
            ReLU that never fires). Channels of layers without a ReLU are rarely exactly 0.
    """

    mean: np.ndarray
    max: np.ndarray
    dead: np.ndarray

    @property
    def dead_count(self) -> int:
        """How many channels stay at zero."""
        return int(self.dead.sum())

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.mean.shape[0])


def channel_stats(activation: np.ndarray, atol: float = 0.0) -> ChannelStats:
    """Per-channel mean, max and the channels that stay at zero, for ONE image.

    Args:
        activation: one image's layer output, (H, W, C) for maps or (C,) for a dense layer
            (index the batch first: ``acts[name][i]``).
        atol: a channel is "dead" when every value has ``|a| <= atol``.

    Returns:
        :class:`ChannelStats` with (C,) arrays.
    """
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim == 1:
        a = a[None, None, :]
    if a.ndim != 3:
        raise InputError(
            f"Expected one image's activations (H, W, C) or (C,), got shape {a.shape}."
        )
    flat = a.reshape(-1, a.shape[-1])
    return ChannelStats(
        mean=flat.mean(axis=0),
        max=flat.max(axis=0),
        dead=np.all(np.abs(flat) <= atol, axis=0),
    )


# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------


def grid_shape(count: int, columns: int | None = None) -> tuple[int, int]:
    """Rows and columns for ``count`` tiles: near-square (wider than tall) by default.

    Args:
        count: number of tiles, >= 1.
        columns: fixed number of columns (capped at ``count``), or ``None``.

    Returns:
        ``(rows, columns)`` with ``rows * columns >= count``.
    """
    if count < 1:
        raise InputError("There is nothing to lay out (0 tiles).")
    cols = math.ceil(math.sqrt(count)) if columns is None else max(1, min(int(columns), count))
    return math.ceil(count / cols), cols


@dataclass(frozen=True)
class ChannelGrid:
    """A mosaic of channel maps, ready for one ``plotly`` heatmap.

    Attributes:
        image: (rows * (h + pad) - pad, columns * (w + pad) - pad) float32; tiles scaled to
            [0, 1], NaN in the padding and in unused cells (plotly leaves NaN blank).
        channels: channel index shown in each tile, row by row.
        rows: tile rows.
        columns: tile columns.
        tile: (h, w) of one map.
        pad: pixels between tiles.
        vmin: activation value mapped to 0 (``scale="shared"``; per-channel: the smallest
            channel minimum).
        vmax: activation value mapped to 1 (``scale="shared"``; per-channel: the largest
            channel maximum).
    """

    image: np.ndarray
    channels: list[int]
    rows: int
    columns: int
    tile: tuple[int, int]
    pad: int
    vmin: float
    vmax: float

    def channel_at(self, y: int, x: int) -> int | None:
        """Channel index under mosaic pixel (y, x), or ``None`` on padding / empty cells."""
        h, w = self.tile
        row, dy = divmod(int(y), h + self.pad)
        col, dx = divmod(int(x), w + self.pad)
        if dy >= h or dx >= w or row >= self.rows or col >= self.columns:
            return None
        index = row * self.columns + col
        return self.channels[index] if index < len(self.channels) else None


def channel_grid(
    activation: np.ndarray,
    *,
    channels: Sequence[int] | None = None,
    columns: int | None = None,
    scale: str = "channel",
    pad: int = 1,
) -> ChannelGrid:
    """Lay out one image's channel maps as a grid.

    Args:
        activation: (H, W, C) one image's output of a spatial layer.
        channels: which channels, in order (default all).
        columns: grid columns (default near-square).
        scale: ``"channel"`` scales each map by its own min..max (a constant map becomes
            0); ``"shared"`` uses one min..max over all shown maps, so brightness compares
            across channels.
        pad: pixels of NaN between tiles.

    Returns:
        :class:`ChannelGrid` whose ``image`` is float32 in [0, 1] with NaN gaps.
    """
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim != 3:
        raise InputError(
            f"A channel grid needs one image's maps (H, W, C), got shape {a.shape}; dense "
            "layers have no maps."
        )
    if scale not in ("channel", "shared"):
        raise InputError(f"scale must be 'channel' or 'shared', got {scale!r}.")
    h, w, c = a.shape
    chosen = list(range(c)) if channels is None else [int(i) for i in channels]
    bad = [i for i in chosen if not 0 <= i < c]
    if bad:
        raise InputError(f"Channel {bad[0]} does not exist; the layer has {c} channels.")
    maps = a[:, :, chosen].transpose(2, 0, 1)  # (K, H, W)
    if scale == "shared":
        lo = np.full((len(chosen), 1, 1), maps.min() if maps.size else 0.0, np.float32)
        hi = np.full_like(lo, maps.max() if maps.size else 0.0)
    else:
        lo = maps.min(axis=(1, 2), keepdims=True)
        hi = maps.max(axis=(1, 2), keepdims=True)
    span = hi - lo
    # Constant maps (span 0) become 0 instead of 0/0.
    scaled = np.where(span > 0, (maps - lo) / np.where(span > 0, span, 1.0), 0.0)
    rows, cols = grid_shape(max(1, len(chosen)), columns)
    pad = max(0, int(pad))
    mosaic = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan, np.float32)
    for k, tile in enumerate(scaled):
        r, q = divmod(k, cols)
        mosaic[r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = tile
    return ChannelGrid(
        image=mosaic,
        channels=chosen,
        rows=rows,
        columns=cols,
        tile=(h, w),
        pad=pad,
        vmin=float(lo.min()) if lo.size else 0.0,
        vmax=float(hi.max()) if hi.size else 0.0,
    )


def tile_images(
    images: np.ndarray, *, columns: int | None = None, pad: int = 2, pad_value: int = 255
) -> np.ndarray:
    """Arrange same-size RGB images in a grid (a gallery as one image).

    Args:
        images: (N, h, w, 3) uint8.
        columns: grid columns (default near-square).
        pad: pixels between tiles.
        pad_value: grey level of the padding, 0..255.

    Returns:
        (rows * (h + pad) - pad, columns * (w + pad) - pad, 3) uint8.
    """
    imgs = np.asarray(images)
    if imgs.ndim != 4 or imgs.shape[0] == 0:
        raise InputError(f"Expected a batch of images (N, h, w, 3), got shape {imgs.shape}.")
    n, h, w, ch = imgs.shape
    rows, cols = grid_shape(n, columns)
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, ch), pad_value, np.uint8)
    for k in range(n):
        r, q = divmod(k, cols)
        out[r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = imgs[k]
    return out


# ---------------------------------------------------------------------------------------------
# First-layer kernels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kernels:
    """The first convolution's kernels as pictures.

    Attributes:
        layer_name: the convolution layer's key.
        images: (K, kh, kw, 3) uint8 RGB, one per output channel; each kernel is scaled
            to 0..255 by its own min..max (grey for a constant kernel). For a grayscale
            model the three channels are equal; for a BGR (``caffe``) model they are flipped
            back to RGB.
        weights: (kh, kw, in_channels, K) float32, the raw kernel.
    """

    layer_name: str
    images: np.ndarray
    weights: np.ndarray


def first_conv_kernels(model: models.ModelLike) -> Kernels:
    """The kernels of the model's first Conv2D layer, as small RGB images.

    Args:
        model: ``keras.Model`` or ``ImageModel``.

    Returns:
        :class:`Kernels`.

    Raises:
        InputError: when the model has no Conv2D layer.
    """
    km = models.keras_model(model)
    layer, key = None, ""
    for info in models.layer_infos(model):
        if info.class_name in ("Conv2D", "Convolution2D"):
            layer, key = _find_layer(km, info.name.split("/")[-1].split("#")[0]), info.name
            if layer is not None:
                break
    if layer is None:
        raise InputError("This model has no Conv2D layer, so there are no kernels to show.")
    weights = np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype=np.float32)
    kernels = weights.transpose(3, 0, 1, 2)  # (K, kh, kw, in)
    in_ch = kernels.shape[-1]
    if in_ch == 3:
        rgb = kernels
        if isinstance(model, ImageModel) and model.preprocessing.bgr:
            rgb = rgb[..., ::-1]
    else:  # grayscale (1) or unusual inputs: show the mean over input channels as grey
        rgb = np.repeat(kernels.mean(axis=-1, keepdims=True), 3, axis=-1)
    lo = rgb.min(axis=(1, 2, 3), keepdims=True)
    hi = rgb.max(axis=(1, 2, 3), keepdims=True)
    span = hi - lo
    scaled = np.where(span > 0, (rgb - lo) / np.where(span > 0, span, 1.0), 0.5)
    images = np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)
    return Kernels(layer_name=key, images=images, weights=weights)


def _find_layer(model: keras.Model, name: str):
    """Find a layer by name, searching nested models too."""
    for layer in model.layers:
        if layer.name == name:
            return layer
        if isinstance(layer, keras.Model):
            found = _find_layer(layer, name)
            if found is not None:
                return found
    return None
