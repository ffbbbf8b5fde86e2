"""Input preprocessing as data: a per-channel affine map, so it is serialisable and differentiable.

Every preprocessing used here (our own models' 0..1 scaling, and the ``tf``, ``torch`` and
``caffe`` modes of ``keras.applications``) is ``y = x * scale + offset`` on pixel values
``x`` in 0..255, after an optional RGB→BGR flip or grayscale conversion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from cnnviz.errors import InputError

# ITU-R BT.601 luma weights, the same as OpenCV's RGB→GRAY.
_LUMA = (0.299, 0.587, 0.114)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """Maps pixel values in 0..255 to what a model expects.

    Attributes:
        mode: a short name shown to students (``"unit"``, ``"tf"``, ``"torch"``, ``"caffe"``,
            ``"raw"``).
        scale: per-channel multiplier (after any flip / grayscale).
        offset: per-channel offset added after scaling.
        bgr: flip RGB to BGR first (``caffe`` mode).
        grayscale: convert RGB to one luma channel first.
    """

    mode: str
    scale: tuple[float, ...] = (1.0, 1.0, 1.0)
    offset: tuple[float, ...] = (0.0, 0.0, 0.0)
    bgr: bool = False
    grayscale: bool = False

    @property
    def channels(self) -> int:
        """Number of channels the model receives (1 or 3)."""
        return 1 if self.grayscale else 3

    def apply(self, x, ops=None):
        """Preprocess a batch.

        Args:
            x: (N, H, W, 3) RGB pixel values in 0..255, numpy array or backend tensor; for
                a grayscale preprocessing also (N, H, W, 1), already one luma channel.
            ops: ``keras.ops`` to stay differentiable on tensors; ``None`` uses numpy.

        Returns:
            (N, H, W, C) float32 model input, C = ``self.channels``.
        """
        xp = np if ops is None else ops
        x = xp.cast(x, "float32") if ops is not None else np.asarray(x, dtype=np.float32)
        if self.grayscale and x.shape[-1] == 1:
            pass  # already one luma channel
        elif self.grayscale:
            weights = np.asarray(_LUMA, dtype=np.float32)
            x = xp.sum(x * weights, axis=-1, keepdims=True)
        elif self.bgr:
            x = x[..., ::-1] if ops is None else ops.flip(x, axis=-1)
        scale = np.asarray(self.scale[: self.channels], dtype=np.float32)
        offset = np.asarray(self.offset[: self.channels], dtype=np.float32)
        return x * scale + offset

    def to_dict(self) -> dict:
        """JSON-ready form, stored in model metadata."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessing:
        """Inverse of :meth:`to_dict`; raises ``InputError`` on unknown content."""
        try:
            return cls(
                mode=str(data["mode"]),
                scale=tuple(float(v) for v in data.get("scale", (1.0, 1.0, 1.0))),
                offset=tuple(float(v) for v in data.get("offset", (0.0, 0.0, 0.0))),
                bgr=bool(data.get("bgr", False)),
                grayscale=bool(data.get("grayscale", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"Unreadable preprocessing description {data!r}.") from exc


def unit(grayscale: bool = False) -> Preprocessing:
    """Pixels scaled to 0..1: what cnnviz's own datasets and trained models use."""
    return Preprocessing("unit", (1 / 255,) * 3, (0.0,) * 3, grayscale=grayscale)


def tf_mode() -> Preprocessing:
    """``keras.applications`` 'tf' mode: pixels scaled to -1..1 (MobileNetV2, Inception)."""
    return Preprocessing("tf", (1 / 127.5,) * 3, (-1.0,) * 3)


def torch_mode() -> Preprocessing:
    """'torch' mode: 0..1, then ImageNet mean/std per channel (DenseNet, EfficientNet-Lite0)."""
    scale = tuple(1 / (255 * s) for s in _IMAGENET_STD)
    offset = tuple(-m / s for m, s in zip(_IMAGENET_MEAN, _IMAGENET_STD, strict=True))
    return Preprocessing("torch", scale, offset)


def caffe_mode() -> Preprocessing:
    """'caffe' mode: RGB→BGR, ImageNet BGR means subtracted, no scaling (VGG16, ResNet50)."""
    return Preprocessing("caffe", (1.0,) * 3, (-103.939, -116.779, -123.68), bgr=True)


def raw() -> Preprocessing:
    """Pixels passed through unchanged (models that rescale inside, e.g. Keras EfficientNetB0)."""
    return Preprocessing("raw")
