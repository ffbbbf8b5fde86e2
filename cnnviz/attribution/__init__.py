"""Where does the network look? Class attribution heatmaps sharing one structure.

Methods (registry :data:`METHODS`, by key):

=============  ==========================  =====================================================
key            class                       what it weights
=============  ==========================  =====================================================
gradcam        :class:`GradCAM`            feature maps by their mean gradient (Selvaraju 2017)
gradcam++      :class:`GradCAMPlusPlus`    feature maps by positive gradients with alpha weights
saliency       :class:`Saliency`           pixels by |d score / d pixel| (Simonyan 2014)
smoothgrad     :class:`SmoothGrad`         saliency averaged over noisy copies (Smilkov 2017)
occlusion      :class:`Occlusion`          pixels by the score drop when a grey patch covers them
=============  ==========================  =====================================================

The shared parts live in :class:`AttributionMethod` (inputs, class choice, batching,
ReLU, upsampling, normalisation); :class:`CAMMethod` adds the forward pass to (feature
maps, logits) and their gradient, so a CAM variant only overrides
:meth:`CAMMethod.channel_weights`; :class:`GradientMethod` does the same for input
gradients. Adding a method is a subclass with a ``key`` and one method, then
:func:`register`.

Known faults of other tools are fixed here:

* gradients are taken of the **logits**, never of softmax probabilities
  (:func:`cnnviz.modelutils.logits_model`), which saturate and give vanishing maps;
* channel weights are pooled **per sample**, so a batch gives the same maps as single images;
* normalisation divides by ``max + eps``, so an all-negative map gives zeros, not NaN;
* the default layer is the last 4-D output with height and width above 1
  (:func:`cnnviz.modelutils.default_cam_layer`).

Inputs: an ``ImageModel`` takes RGB uint8 images of any size (resized to its input size;
gradients flow through its preprocessing, so saliency is per RGB pixel), a bare
``keras.Model`` takes its preprocessed (N, H, W, C) float input. Heatmaps are (N, h, w)
float32 in [0, 1] at the model's INPUT size, so they overlay directly on
``ImageModel.resize(images)`` (or, through :func:`overlay`, on an image of any size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import keras
import numpy as np

from cnnviz import activations, autodiff, config, modelutils
from cnnviz.errors import InputError
from cnnviz.imagemodel import ImageModel

EPSILON = 1e-12
"""Added to the maximum when normalising heatmaps (zero maps stay zero, never NaN)."""

_COMPILED = modelutils.ModelCache(maxsize=16)

# ---------------------------------------------------------------------------------------------
# Result and shared pieces
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """Heatmaps with what they explain.

    Attributes:
        heatmaps: (N, h, w) float32 in [0, 1], (h, w) the model's input size.
        class_indices: (N,) int, the class each map explains (the top-1 class when none
            was asked for).
        method: the method's key in :data:`METHODS`.
        layer_name: the layer used by CAM methods, ``None`` for the others.
    """

    heatmaps: np.ndarray
    class_indices: np.ndarray
    method: str
    layer_name: str | None


@dataclass(frozen=True)
class _Batch:
    """The differentiable input of a batch and how it reaches the model.

    ``x`` is what gradients are taken with respect to: resized RGB pixels 0..255 for an
    ``ImageModel`` (``preprocessing`` is then applied inside the graph), or the model
    input itself for a bare ``keras.Model`` (``preprocessing`` is ``None``).
    """

    model: modelutils.ModelLike
    x: np.ndarray  # (N, h, w, C) float32
    preprocessing: object | None

    @classmethod
    def make(cls, model: modelutils.ModelLike, images) -> _Batch:
        if isinstance(model, ImageModel):
            if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[0] == 0:
                raise InputError("No image given.")
            x = model.resize(images).astype(np.float32)
            return cls(model, x, model.preprocessing)
        return cls(model, activations.model_input(model, images), None)

    def to_model(self, x):
        """Tensor ``x`` (like ``self.x``) → model input tensor, differentiably."""
        if self.preprocessing is None:
            return x
        return self.preprocessing.apply(x, ops=keras.ops)

    @property
    def size(self) -> tuple[int, int]:
        return int(self.x.shape[1]), int(self.x.shape[2])

    @property
    def fill(self) -> np.ndarray:
        """A neutral grey per channel: 127.5 in pixel space, else each image's mean."""
        if self.preprocessing is not None:
            return np.full((len(self.x), 1, 1, self.x.shape[-1]), 127.5, np.float32)
        return self.x.mean(axis=(1, 2), keepdims=True)

    @property
    def value_range(self) -> np.ndarray:
        """(N,) spread of each image's values (full range for a constant image)."""
        spread = self.x.max(axis=(1, 2, 3)) - self.x.min(axis=(1, 2, 3))
        full = 255.0 if self.preprocessing is not None else 1.0
        return np.where(spread > 0, spread, full).astype(np.float32)


def _class_ids(class_index, n: int, classes: int) -> np.ndarray:
    """Normalise ``class_index`` to (n,) int32, -1 meaning "top-1 of that image"."""
    if class_index is None:
        return np.full(n, -1, np.int32)
    values = np.atleast_1d(np.asarray(class_index))
    if values.dtype.kind not in "iu" or values.ndim != 1:
        raise InputError(
            f"class_index must be an integer or a list of integers, got {class_index!r}."
        )
    if values.size == 1:
        values = np.repeat(values, n)
    if values.size != n:
        raise InputError(
            f"Got {values.size} class indices for {n} images; give one, or one per image."
        )
    bad = values[(values < 0) | (values >= classes)]
    if bad.size:
        raise InputError(
            f"Class {int(bad[0])} does not exist: the model has {classes} classes "
            f"(0..{classes - 1})."
        )
    return values.astype(np.int32)


def _class_score(logits, ids):
    """Per-sample score of the chosen class, and the classes chosen.

    Args:
        logits: (N, K) tensor. K = 1 is a single-unit binary classifier: class 1 scores
            ``z``, class 0 scores ``-z``.
        ids: (N,) int32 tensor, -1 meaning the top-1 class.

    Returns:
        ``(scores (N,), chosen (N,) int32)``.
    """
    ops = keras.ops
    ids = ops.cast(ids, "int32")
    if logits.shape[-1] == 1:
        z = logits[:, 0]
        chosen = ops.where(ids < 0, ops.cast(z > 0, "int32"), ids)
        return z * ops.cast(2 * chosen - 1, z.dtype), chosen
    top = ops.cast(ops.argmax(logits, axis=-1), "int32")
    chosen = ops.where(ids < 0, top, ids)
    return ops.sum(logits * ops.one_hot(chosen, logits.shape[-1], dtype=logits.dtype), -1), chosen


def normalize(maps: np.ndarray, relu: bool = True) -> np.ndarray:
    """Scale each map to [0, 1] by its maximum (after an optional ReLU).

    Args:
        maps: (N, h, w) float.
        relu: drop negative values first (negative evidence is not shown).

    Returns:
        (N, h, w) float32 in [0, 1]; an all-zero (or all-negative with ``relu``) map gives
        zeros, never NaN.
    """
    m = np.asarray(maps, dtype=np.float64)
    m = np.nan_to_num(m, nan=0.0, posinf=0.0, neginf=0.0)
    m = np.maximum(m, 0.0) if relu else m - m.min(axis=(1, 2), keepdims=True)
    top = m.max(axis=(1, 2), keepdims=True)
    return (m / (top + EPSILON)).astype(np.float32)


def upsample(
    maps: np.ndarray, size: tuple[int, int], geometry: modelutils.Geometry | None = None
) -> np.ndarray:
    """Bilinear resize of (N, h', w') maps to (N, h, w), each cell placed where it looks.

    Args:
        maps: (N, h', w') float.
        size: (h, w) target (the model's input size).
        geometry: where the map's cells centre in the input
            (:func:`cnnviz.modelutils.receptive_field`). ``None``: the map spans the whole
            input (half-pixel centres, like ``cv2.resize``). With unpadded convolutions the
            cells of a deep map centre on a smaller, inner region; each output pixel then
            takes the value interpolated at its own position. Pixels beyond the outer
            cell centres (seen only by the edge of the outer cells' receptive fields) fade
            linearly to 0 at that edge plus half a stride.

    Returns:
        (N, h, w) float32.
    """
    h, w = size
    maps = np.asarray(maps, dtype=np.float32)
    if geometry is None:
        if maps.shape[1:] == (h, w):
            return maps.copy()
        return np.stack([cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR) for m in maps])
    # Fractional cell index of every input pixel: (pixel - centre of cell 0) / stride.
    ys = (np.arange(h, dtype=np.float32) - geometry.offset[0]) / geometry.stride[0]
    xs = (np.arange(w, dtype=np.float32) - geometry.offset[1]) / geometry.stride[1]
    ys = np.clip(ys, 0, maps.shape[1] - 1)
    xs = np.clip(xs, 0, maps.shape[2] - 1)
    map_x = np.ascontiguousarray(np.broadcast_to(xs[None, :], (h, w)))
    map_y = np.ascontiguousarray(np.broadcast_to(ys[:, None], (h, w)))
    fade = [
        _edge_fade(n, geometry.offset[a], geometry.stride[a], maps.shape[1 + a], geometry.size[a])
        for a, n in enumerate((h, w))
    ]
    out = np.stack(
        [
            cv2.remap(m, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            for m in maps
        ]
    )
    return (out * fade[0][None, :, None] * fade[1][None, None, :]).astype(np.float32)


def _edge_fade(n: int, offset: float, stride: float, cells: int, size: int) -> np.ndarray:
    """(n,) weights along one axis, fading beyond the outer cell centres.

    1 between the outer cell centres, then linearly down to 0 at the outer cells'
    receptive-field edge plus half a stride (so a peak stays on its cell's centre).
    """
    pos = np.arange(n, dtype=np.float64)
    last = offset + (cells - 1) * stride
    beyond = np.maximum(np.maximum(offset - pos, pos - last), 0.0)
    reach = max(size / 2 + stride / 2, 1.0)
    return np.clip(1.0 - beyond / reach, 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Method structure
# ---------------------------------------------------------------------------------------------


class AttributionMethod:
    """Shared pipeline: inputs → class choice → raw maps (per method) → ReLU → upsample → / max.

    Subclasses set ``key`` and ``label`` and implement :meth:`raw_maps`. Calling an instance
    runs the whole pipeline in chunks of ``batch_size`` images.
    """

    key: str = ""
    label: str = ""
    uses_layer: bool = False
    relu: bool = True

    def __call__(
        self,
        model: modelutils.ModelLike,
        images,
        class_index: int | Sequence[int] | None = None,
        layer_name: str | None = None,
        *,
        batch_size: int = 16,
        **options,
    ) -> Attribution:
        """Explain ``model``'s decision on ``images``.

        Args:
            model: ``ImageModel`` (RGB uint8 images of any size) or ``keras.Model``
                (preprocessed (N, H, W, C) float input).
            images: one image or a batch / list of them (see ``model``); not modified.
            class_index: class to explain: ``None`` = each image's top-1 class, an int for
                all images, or one int per image.
            layer_name: layer for CAM methods (default
                :func:`cnnviz.modelutils.default_cam_layer`); ignored by the others.
            batch_size: images per forward/backward pass.
            **options: method-specific options (see each class).

        Returns:
            :class:`Attribution` with (N, h, w) heatmaps in [0, 1] at the model input size.
        """
        batch = _Batch.make(model, images)
        ids = _class_ids(class_index, len(batch.x), modelutils.num_classes(model))
        layer = self.resolve_layer(model, layer_name) if self.uses_layer else None
        geometry = modelutils.receptive_field(model, layer) if layer else None
        maps, chosen = [], []
        step = max(1, int(batch_size))
        for start in range(0, len(batch.x), step):
            part = _Batch(model, batch.x[start : start + step], batch.preprocessing)
            raw, cls = self.raw_maps(part, ids[start : start + step], layer, **options)
            raw = np.nan_to_num(np.asarray(raw, dtype=np.float64))
            if self.relu:  # on the coarse map, as in the Grad-CAM paper, before upsampling
                raw = np.maximum(raw, 0.0)
            maps.append(normalize(upsample(raw, batch.size, geometry), relu=self.relu))
            chosen.append(np.asarray(cls, dtype=np.int64))
        return Attribution(np.concatenate(maps), np.concatenate(chosen), self.key, layer)

    def resolve_layer(self, model: modelutils.ModelLike, layer_name: str | None) -> str:
        """The CAM layer: ``layer_name`` checked, or the default one."""
        if layer_name is None:
            return modelutils.default_cam_layer(model)
        info = modelutils.layer_info(model, layer_name)
        if not info.is_spatial:
            raise InputError(
                f"{self.label} needs a layer with 2-D feature maps (like a convolution); "
                f"{layer_name!r} outputs shape {info.output_shape}."
            )
        return layer_name

    def raw_maps(
        self, batch: _Batch, ids: np.ndarray, layer_name: str | None, **options
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised maps for one chunk.

        Args:
            batch: the chunk's inputs.
            ids: (n,) int32 class per image, -1 for top-1.
            layer_name: the CAM layer, or ``None``.
            **options: method-specific options.

        Returns:
            ``(maps (n, h', w') float, chosen classes (n,) int)``; maps of any size (they are
            upsampled to the input size), higher = more important, negatives dropped.
        """
        raise NotImplementedError


# ---- CAM family ----------------------------------------------------------------------------


def _cam_function(batch: _Batch, layer_name: str):
    """Compiled ``(delta, x, ids) -> ((score, (maps, chosen)), d score / d maps)``, cached."""
    km = modelutils.keras_model(batch.model)

    def build():
        injected = modelutils.injected_model(batch.model, layer_name)

        def score(delta, x, ids):
            maps, logits = injected([batch.to_model(x), delta], training=False)
            scores, chosen = _class_score(logits, ids)
            return scores, (maps, chosen)

        return autodiff.compile_function(
            lambda delta, x, ids: autodiff.value_and_grad(score, delta, x, ids, has_aux=True)
        )

    return _COMPILED.get(km, ("cam", layer_name, batch.preprocessing), build)


class CAMMethod(AttributionMethod):
    """Class activation maps: ReLU(sum over channels of weight x feature map).

    Subclasses override only :meth:`channel_weights`.
    """

    uses_layer = True

    def raw_maps(self, batch, ids, layer_name, **options):
        """Weighted sum of the layer's maps; weights from :meth:`channel_weights`."""
        if options:
            raise TypeError(f"{self.label} takes no options, got {sorted(options)}.")
        fn = _cam_function(batch, layer_name)
        shape = modelutils.layer_info(batch.model, layer_name).output_shape
        delta = np.zeros((len(batch.x), *shape), np.float32)
        (_, (maps, chosen)), grads = fn(delta, batch.x, ids)
        maps = np.asarray(keras.ops.convert_to_numpy(maps), np.float64)
        grads = np.asarray(keras.ops.convert_to_numpy(grads), np.float64)
        weights = self.channel_weights(maps, grads)  # (n, C), pooled per sample
        cam = np.einsum("nhwc,nc->nhw", maps, weights)
        return cam, keras.ops.convert_to_numpy(chosen)

    def channel_weights(self, maps: np.ndarray, grads: np.ndarray) -> np.ndarray:
        """Weight of each channel, per sample.

        Args:
            maps: (n, h, w, C) feature maps A.
            grads: (n, h, w, C) gradients of the class logit with respect to A.

        Returns:
            (n, C) weights.
        """
        raise NotImplementedError


class GradCAM(CAMMethod):
    """Grad-CAM: channel weight = spatial mean of the gradient (Selvaraju et al., 2017)."""

    key = "gradcam"
    label = "Grad-CAM"

    def channel_weights(self, maps, grads):
        """Global-average-pooled gradients, per sample: (n, C)."""
        return grads.mean(axis=(1, 2))


class GradCAMPlusPlus(CAMMethod):
    """Grad-CAM++: positive gradients weighted by alpha (Chattopadhyay et al., 2018).

    With the class score ``exp(logit)``, higher derivatives are powers of the first one:
    ``alpha = g^2 / (2 g^2 + sum_ab(A) g^3)``, weight = ``sum_ab(alpha * relu(g))``.
    """

    key = "gradcam++"
    label = "Grad-CAM++"

    def channel_weights(self, maps, grads):
        """Alpha-weighted sum of positive gradients, per sample: (n, C)."""
        g2 = grads**2
        g3 = g2 * grads
        sum_maps = maps.sum(axis=(1, 2), keepdims=True)
        denominator = 2 * g2 + sum_maps * g3
        safe = np.where(denominator != 0, denominator, 1.0)
        alpha = np.where(denominator != 0, g2 / safe, 0.0)
        return (alpha * np.maximum(grads, 0.0)).sum(axis=(1, 2))


# ---- input-gradient family -----------------------------------------------------------------


def _input_gradient_function(batch: _Batch):
    """Compiled ``(x, ids) -> ((score, chosen), d score / d x)``, cached per model."""
    km = modelutils.keras_model(batch.model)

    def build():
        logits_model = modelutils.logits_model(batch.model)

        def score(x, ids):
            logits = logits_model(batch.to_model(x), training=False)
            scores, chosen = _class_score(logits, ids)
            return scores, chosen

        return autodiff.compile_function(
            lambda x, ids: autodiff.value_and_grad(score, x, ids, has_aux=True)
        )

    return _COMPILED.get(km, ("input-grad", batch.preprocessing), build)


def _input_gradients(batch: _Batch, x: np.ndarray, ids: np.ndarray):
    (_, chosen), grads = _input_gradient_function(batch)(x.astype(np.float32), ids)
    return keras.ops.convert_to_numpy(grads), keras.ops.convert_to_numpy(chosen)


class GradientMethod(AttributionMethod):
    """Maps from gradients of the class logit with respect to the input pixels.

    Subclasses override :meth:`input_gradients`; the map is the largest absolute gradient
    over colour channels.
    """

    def raw_maps(self, batch, ids, layer_name, **options):
        """Largest absolute gradient over colour channels: (n, h, w)."""
        grads, chosen = self.input_gradients(batch, ids, **options)
        return np.abs(grads).max(axis=-1), chosen

    def input_gradients(self, batch: _Batch, ids: np.ndarray, **options):
        """(n, h, w, C) gradients and (n,) chosen classes."""
        raise NotImplementedError


class Saliency(GradientMethod):
    """Vanilla saliency: |d logit / d pixel| (Simonyan et al., 2014)."""

    key = "saliency"
    label = "Vanilla saliency"

    def input_gradients(self, batch, ids, **options):
        """Gradient of the class logit with respect to the clean image."""
        if options:
            raise TypeError(f"{self.label} takes no options, got {sorted(options)}.")
        return _input_gradients(batch, batch.x, ids)


class SmoothGrad(GradientMethod):
    """SmoothGrad: gradients averaged over noisy copies of the image (Smilkov et al., 2017).

    Options:
        samples: noisy copies per image (default 25; 4 under ``CNNVIZ_FAST``).
        noise: noise standard deviation as a fraction of the image's value range (0.15).
        seed: random seed for the noise.
    """

    key = "smoothgrad"
    label = "SmoothGrad"

    def input_gradients(self, batch, ids, samples=None, noise=0.15, seed=0):
        """Mean gradient over ``samples`` noisy copies (the noise depends on ``seed`` only)."""
        samples = (4 if config.fast_mode() else 25) if samples is None else int(samples)
        if samples < 1:
            raise InputError(f"SmoothGrad needs at least 1 sample, got {samples}.")
        if not 0 <= float(noise) <= 1:
            raise InputError(f"noise must be between 0 and 1 (a fraction), got {noise}.")
        # The class is fixed on the clean image, then explained on every noisy copy.
        _, chosen = _input_gradients(batch, batch.x, ids)
        chosen = np.asarray(chosen, np.int32)
        # Every image gets the same noise stream, so its map does not depend on the batch.
        rng = np.random.default_rng(int(seed))
        sigma = (float(noise) * batch.value_range)[:, None, None, None]
        total = np.zeros_like(batch.x, dtype=np.float64)
        for _ in range(samples):
            noise_sample = rng.normal(size=batch.x.shape[1:]).astype(np.float32)
            noisy = batch.x + noise_sample[None] * sigma
            grads, _ = _input_gradients(batch, noisy, chosen)
            total += grads
        return total / samples, chosen


# ---- occlusion -----------------------------------------------------------------------------


def _forward_function(batch: _Batch):
    """Compiled ``x -> logits``, cached per model."""
    km = modelutils.keras_model(batch.model)

    def build():
        logits_model = modelutils.logits_model(batch.model)
        return autodiff.compile_function(lambda x: logits_model(batch.to_model(x), training=False))

    return _COMPILED.get(km, ("forward", batch.preprocessing), build)


def _probabilities(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, np.float64)
    if logits.shape[-1] == 1:
        p = 1 / (1 + np.exp(-logits))
        return np.concatenate([1 - p, p], axis=-1)
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _scores(logits: np.ndarray, classes: np.ndarray, kind: str) -> np.ndarray:
    """Score of ``classes[i]`` in row i: probability, or logit (binary: ±z)."""
    if kind == "probability":
        return _probabilities(logits)[np.arange(len(classes)), classes]
    if logits.shape[-1] == 1:
        return logits[:, 0] * (2 * classes - 1)
    return logits[np.arange(len(classes)), classes]


class Occlusion(AttributionMethod):
    """Occlusion sensitivity: slide a grey patch, map the drop of the class score.

    Model-agnostic (forward passes only), so it cross-checks the gradient methods.
    Each pixel's value is the mean drop over the patch positions covering it.

    Options:
        patch: patch side in pixels (default 1/7 of the smaller input side).
        stride: step between patch positions (default half the patch).
        fill: grey value in the ``images`` space (default 127.5 per RGB channel for an
            ``ImageModel``, each image's channel mean for a bare model).
        score: ``"probability"`` (default) or ``"logit"``.
        chunk: occluded copies per forward pass (64).
    """

    key = "occlusion"
    label = "Occlusion sensitivity"

    def raw_maps(
        self,
        batch,
        ids,
        layer_name,
        patch=None,
        stride=None,
        fill=None,
        score="probability",
        chunk=64,
    ):
        """Mean score drop over the patch positions covering each pixel: (n, h, w)."""
        h, w = batch.size
        patch = max(1, min(h, w) // 7) if patch is None else int(patch)
        stride = max(1, patch // 2) if stride is None else int(stride)
        if not 1 <= patch <= min(h, w) or stride < 1:
            raise InputError(
                f"Occlusion patch must be 1..{min(h, w)} pixels and stride >= 1; got "
                f"patch={patch}, stride={stride}."
            )
        if score not in ("probability", "logit"):
            raise InputError(f"score must be 'probability' or 'logit', got {score!r}.")
        forward = _forward_function(batch)
        logits = np.asarray(keras.ops.convert_to_numpy(forward(batch.x)))
        chosen = ids.copy()
        top = (logits[:, 0] > 0).astype(np.int32) if logits.shape[-1] == 1 else logits.argmax(-1)
        chosen[chosen < 0] = top[chosen < 0]
        base = _scores(logits, chosen, score)
        ys = _positions(h, patch, stride)
        xs = _positions(w, patch, stride)
        spots = [(y, x) for y in ys for x in xs]
        fill_values = batch.fill if fill is None else np.full_like(batch.fill, float(fill))
        maps = np.zeros((len(batch.x), h, w), np.float64)
        counts = np.zeros((h, w), np.float64)
        for y, x in spots:
            counts[y : y + patch, x : x + patch] += 1
        for i, image in enumerate(batch.x):
            drops = []
            for start in range(0, len(spots), chunk):
                part = spots[start : start + chunk]
                copies = np.repeat(image[None], len(part), axis=0)
                for k, (y, x) in enumerate(part):
                    copies[k, y : y + patch, x : x + patch] = fill_values[i, 0, 0]
                out = np.asarray(keras.ops.convert_to_numpy(forward(copies)))
                drops.append(base[i] - _scores(out, np.full(len(part), chosen[i]), score))
            for (y, x), drop in zip(spots, np.concatenate(drops), strict=True):
                maps[i, y : y + patch, x : x + patch] += drop
        return maps / np.maximum(counts, 1), chosen


def _positions(length: int, patch: int, stride: int) -> list[int]:
    """Patch start positions covering [0, length), the last one flush with the edge."""
    starts = list(range(0, max(length - patch, 0) + 1, stride))
    if starts[-1] != length - patch and length - patch > 0:
        starts.append(length - patch)
    return starts


# ---------------------------------------------------------------------------------------------
# Registry and public functions
# ---------------------------------------------------------------------------------------------

METHODS: dict[str, AttributionMethod] = {}
"""Attribution methods by key: ``{"gradcam": GradCAM(), ...}``; labels in ``.label``."""


def register(method: AttributionMethod) -> AttributionMethod:
    """Add a method to :data:`METHODS` under its ``key`` (returns it, usable as decorator)."""
    instance = method() if isinstance(method, type) else method
    if not instance.key:
        raise ValueError("An attribution method needs a non-empty key.")
    METHODS[instance.key] = instance
    return method


for _method in (GradCAM, GradCAMPlusPlus, Saliency, SmoothGrad, Occlusion):
    register(_method)


def attribute(
    method: str,
    model: modelutils.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
    **options,
) -> Attribution:
    """Run the method registered under ``method`` (see :class:`AttributionMethod`).

    Returns:
        :class:`Attribution` (heatmaps, classes explained, method, layer).
    """
    if method not in METHODS:
        raise InputError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    return METHODS[method](model, images, class_index, layer_name, **options)


def grad_cam(
    model: modelutils.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
) -> np.ndarray:
    """Grad-CAM heatmaps.

    Args:
        model: ``ImageModel`` (RGB uint8 images, any size) or ``keras.Model``
            (preprocessed (N, H, W, C) float input).
        images: one image or a batch / list; not modified.
        class_index: ``None`` (top-1 per image), one int, or one int per image.
        layer_name: feature-map layer; default: the last 4-D output with height and width
            above 1.

    Returns:
        heatmaps, (N, h, w) float32 in [0, 1], (h, w) the model's input size.
    """
    return METHODS["gradcam"](model, images, class_index, layer_name).heatmaps


def grad_cam_plus_plus(
    model: modelutils.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    layer_name: str | None = None,
) -> np.ndarray:
    """Grad-CAM++ heatmaps; arguments and result as :func:`grad_cam`."""
    return METHODS["gradcam++"](model, images, class_index, layer_name).heatmaps


def saliency(
    model: modelutils.ModelLike, images, class_index: int | Sequence[int] | None = None
) -> np.ndarray:
    """Vanilla gradient saliency, (N, h, w) float32 in [0, 1]; arguments as :func:`grad_cam`."""
    return METHODS["saliency"](model, images, class_index).heatmaps


def smoothgrad(
    model: modelutils.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    *,
    samples: int | None = None,
    noise: float = 0.15,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad saliency, (N, h, w) float32 in [0, 1]; options as :class:`SmoothGrad`."""
    return METHODS["smoothgrad"](
        model, images, class_index, samples=samples, noise=noise, seed=seed
    ).heatmaps


def occlusion(
    model: modelutils.ModelLike,
    images,
    class_index: int | Sequence[int] | None = None,
    *,
    patch: int | None = None,
    stride: int | None = None,
    fill: float | None = None,
    score: str = "probability",
) -> np.ndarray:
    """Occlusion sensitivity, (N, h, w) float32 in [0, 1]; options as :class:`Occlusion`."""
    return METHODS["occlusion"](
        model, images, class_index, patch=patch, stride=stride, fill=fill, score=score
    ).heatmaps


def predict_proba(model: modelutils.ModelLike, images) -> np.ndarray:
    """Class probabilities for either kind of model.

    Args:
        model: ``ImageModel`` (RGB images) or ``keras.Model`` (preprocessed input).
        images: as for :func:`grad_cam`.

    Returns:
        (N, classes) float32, rows summing to 1 (2 columns for a single-unit binary model).
    """
    batch = _Batch.make(model, images)
    logits = np.asarray(keras.ops.convert_to_numpy(_forward_function(batch)(batch.x)))
    return _probabilities(logits).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Display helpers
# ---------------------------------------------------------------------------------------------

COLORMAPS: dict[str, int] = {
    "jet": cv2.COLORMAP_JET,
    "turbo": cv2.COLORMAP_TURBO,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "inferno": cv2.COLORMAP_INFERNO,
    "magma": cv2.COLORMAP_MAGMA,
    "plasma": cv2.COLORMAP_PLASMA,
    "hot": cv2.COLORMAP_HOT,
    "bone": cv2.COLORMAP_BONE,
}
"""OpenCV colour maps offered for heatmaps, by name."""


def colorize(heatmap: np.ndarray, colormap: str = "jet") -> np.ndarray:
    """Colour a heatmap.

    Args:
        heatmap: (h, w) float in [0, 1] (clipped).
        colormap: a key of :data:`COLORMAPS`.

    Returns:
        (h, w, 3) uint8 RGB.
    """
    if colormap not in COLORMAPS:
        raise InputError(f"Unknown colour map {colormap!r}; choose one of {', '.join(COLORMAPS)}.")
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise InputError(f"Expected one heatmap (h, w), got shape {heat.shape}.")
    levels = np.rint(np.clip(np.nan_to_num(heat), 0, 1) * 255).astype(np.uint8)
    return cv2.cvtColor(cv2.applyColorMap(levels, COLORMAPS[colormap]), cv2.COLOR_BGR2RGB)


def overlay(
    image_rgb: np.ndarray, heatmap: np.ndarray, alpha: float = 0.4, colormap: str = "jet"
) -> np.ndarray:
    """Blend a coloured heatmap over an image.

    Args:
        image_rgb: (H, W, 3) uint8 RGB (or (H, W) grayscale).
        heatmap: (h, w) float in [0, 1]; resized (bilinear) to (H, W) when sizes differ.
        alpha: heatmap opacity, 0 (image only) .. 1 (heatmap only).
        colormap: a key of :data:`COLORMAPS`.

    Returns:
        (H, W, 3) uint8 RGB, ``(1 - alpha) * image + alpha * colour``.
    """
    if not 0.0 <= float(alpha) <= 1.0:
        raise InputError(f"Opacity must be between 0 and 1, got {alpha}.")
    image = np.asarray(image_rgb)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"Expected an RGB image (H, W, 3), got shape {image.shape}.")
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise InputError(f"Expected one heatmap (h, w), got shape {heat.shape}.")
    height, width = image.shape[:2]
    if heat.shape != (height, width):
        heat = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
    colour = colorize(heat, colormap).astype(np.float32)
    blended = (1.0 - float(alpha)) * image.astype(np.float32) + float(alpha) * colour
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def pointing_game(heatmaps: np.ndarray, boxes: np.ndarray, tolerance: int = 0) -> np.ndarray:
    """Whether each heatmap's peak falls inside its object's box (Zhang et al., 2016).

    Args:
        heatmaps: (N, h, w) float.
        boxes: (N, 4) ``x0, y0, x1, y1`` in heatmap pixel coordinates, the object covering
            ``heatmap[y0:y1, x0:x1]`` (``x1``, ``y1`` exclusive, as ``cnnviz.datasets``).
        tolerance: pixels of slack around each box.

    Returns:
        (N,) bool hits; ``hits.mean()`` is the pointing-game accuracy.
    """
    heat = np.asarray(heatmaps, dtype=np.float32)
    box = np.asarray(boxes, dtype=np.float64)
    if heat.ndim != 3 or box.shape != (len(heat), 4):
        raise InputError(
            f"Expected heatmaps (N, h, w) and boxes (N, 4), got {heat.shape} and {box.shape}."
        )
    flat = np.nan_to_num(heat).reshape(len(heat), -1).argmax(axis=1)
    py, px = np.unravel_index(flat, heat.shape[1:])
    t = float(tolerance)
    return (
        (px >= box[:, 0] - t) & (px < box[:, 2] + t) & (py >= box[:, 1] - t) & (py < box[:, 3] + t)
    )


# Evaluation of the methods (they import METHODS from here, so they come last).
from cnnviz.attribution.metrics import (  # noqa: E402
    SCORES,
    energy_inside,
    localisation,
    score_maps,
)
from cnnviz.attribution.sanity import CascadeStep, cascade, spearman  # noqa: E402

__all__ = [
    "METHODS",
    "SCORES",
    "Attribution",
    "AttributionMethod",
    "CAMMethod",
    "CascadeStep",
    "GradCAM",
    "GradCAMPlusPlus",
    "GradientMethod",
    "Occlusion",
    "Saliency",
    "SmoothGrad",
    "attribute",
    "cascade",
    "colorize",
    "energy_inside",
    "grad_cam",
    "grad_cam_plus_plus",
    "localisation",
    "normalize",
    "occlusion",
    "overlay",
    "pointing_game",
    "predict_proba",
    "register",
    "saliency",
    "score_maps",
    "smoothgrad",
    "spearman",
    "upsample",
]
