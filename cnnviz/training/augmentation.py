"""Data augmentation: random changes to training batches, in ImageDataGenerator's units."""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz.errors import InputError

FLIP_MODES = ("none", "horizontal", "vertical", "horizontal_and_vertical")
FILL_MODES = ("nearest", "reflect", "constant", "wrap")

# The courses' ImageDataGenerator arguments, as they write them.
COURSES_IMAGE_DATA_GENERATOR = {
    "rotation_range": 40,
    "width_shift_range": 0.2,
    "height_shift_range": 0.2,
    "shear_range": 0.2,
    "zoom_range": 0.2,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}
# How ImageDataGenerator's ``rescale`` maps to the app's preprocessing: the courses' 1/255
# is "rescale" (pixels 0..255 become 0..1 after the random changes, as the generator does).
PREPROCESSINGS = (None, "rescale")
RESCALE = 1.0 / 255.0
LIMITS = {
    "rotation_deg": 180.0,
    "width_shift": 0.5,
    "height_shift": 0.5,
    "shear_deg": 45.0,
    "zoom": 0.9,
    "contrast": 1.0,
}


def shear_factor(degrees: float) -> float:
    """Keras 3 ``RandomShear`` factor for an ``ImageDataGenerator`` shear angle.

    ``ImageDataGenerator(shear_range=θ)`` takes θ in **degrees** and moves row ``y`` of the
    image sideways by ``y · sin θ`` pixels (its matrix is ``[[1, -sin θ], [0, cos θ]]``).
    ``RandomShear(x_factor=s)`` moves row ``y`` by ``y · s`` pixels (matrix ``[[1, s],
    [0, 1]]``, measured from the top row). So ``s = sin θ``: the same sideways slope; the
    ``cos θ`` row squeeze of ImageDataGenerator (under 3.5% up to 15°) is not reproduced.

    Args:
        degrees: shear angle in degrees, in [0, 90].

    Returns:
        The factor, in [0, 1].
    """
    return float(math.sin(math.radians(float(degrees))))


@dataclass(frozen=True, init=False)
class Augmentation:
    """Random changes applied to training batches only (Keras 3 preprocessing layers).

    The settings use the units of Keras' ``ImageDataGenerator``, which the courses use
    (:meth:`from_image_data_generator` reads its arguments directly).

    Attributes:
        flip: one of ``FLIP_MODES`` (``horizontal_flip=True`` is ``"horizontal"``).
        rotation_deg: maximum rotation either way in degrees, in [0, 180] (``rotation_range``).
        width_shift: maximum sideways shift as a fraction of the width, in [0, 0.5]
            (``width_shift_range``).
        height_shift: maximum up/down shift as a fraction of the height, in [0, 0.5]
            (``height_shift_range``).
        shear_deg: maximum shear angle either way in degrees, in [0, 45] (``shear_range``;
            see :func:`shear_factor` for the conversion to ``RandomShear``).
        zoom: maximum zoom in or out as a fraction, in [0, 0.9]; 0.2 scales by 0.8..1.2,
            width and height drawn independently, as ``zoom_range=0.2`` does.
        contrast: maximum contrast change as a fraction, in [0, 1].
        fill_mode: how pixels moved in from outside are filled: one of ``FILL_MODES``
            (constant fills with black, as ``cval=0``).
        preprocessing: None (the model's own), or ``"rescale"``: pixels / 255 after the
            random changes, what ``ImageDataGenerator(rescale=1./255)`` asks for. It is not
            an augmentation (``active`` ignores it): a classifier trained here already
            reads pixels / 255; a run whose model has its own preprocessing (a pretrained
            base) can follow it to feed pixels / 255 as the courses do.

    The constructor also takes the earlier keywords ``rotation`` (a fraction of a full turn)
    and ``shift`` (both shifts), and the properties of those names read the same way.
    """

    flip: str
    rotation_deg: float
    width_shift: float
    height_shift: float
    shear_deg: float
    zoom: float
    contrast: float
    fill_mode: str
    preprocessing: str | None

    def __init__(
        self,
        flip: str = "none",
        rotation_deg: float = 0.0,
        width_shift: float = 0.0,
        height_shift: float = 0.0,
        shear_deg: float = 0.0,
        zoom: float = 0.0,
        contrast: float = 0.0,
        fill_mode: str = "nearest",
        preprocessing: str | None = None,
        *,
        rotation: float | None = None,
        shift: float | None = None,
    ):
        if rotation is not None:  # earlier unit: a fraction of a full turn
            rotation_deg = float(rotation) * 360.0
        if shift is not None:
            width_shift = height_shift = float(shift)
        values = {
            "flip": str(flip),
            "rotation_deg": float(rotation_deg),
            "width_shift": float(width_shift),
            "height_shift": float(height_shift),
            "shear_deg": float(shear_deg),
            "zoom": float(zoom),
            "contrast": float(contrast),
            "fill_mode": str(fill_mode),
            "preprocessing": None if preprocessing is None else str(preprocessing),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def rotation(self) -> float:
        """Maximum rotation as a fraction of a full turn (the earlier unit)."""
        return self.rotation_deg / 360.0

    @property
    def shift(self) -> float:
        """The larger of the two shifts (the earlier single setting)."""
        return max(self.width_shift, self.height_shift)

    @property
    def active(self) -> bool:
        """True when at least one augmentation is switched on."""
        return self.flip != "none" or any(getattr(self, name) > 0 for name in LIMITS)

    def validate(self) -> None:
        """Raise ``InputError`` naming the first value out of range."""
        if self.flip not in FLIP_MODES:
            raise InputError(f"Flip must be one of {', '.join(FLIP_MODES)}; got {self.flip!r}.")
        if self.fill_mode not in FILL_MODES:
            raise InputError(
                f"Fill mode must be one of {', '.join(FILL_MODES)}; got {self.fill_mode!r}."
            )
        if self.preprocessing not in PREPROCESSINGS:
            raise InputError(
                f"Preprocessing must be None or 'rescale'; got {self.preprocessing!r}."
            )
        for name, top in LIMITS.items():
            value = getattr(self, name)
            if not (0.0 <= float(value) <= top):
                label = name.replace("_deg", " (degrees)").replace("_", " ")
                raise InputError(
                    f"Augmentation {label} must be between 0 and {top:g}; got {value}."
                )

    def layers(self, seed: int | None = None) -> list:
        """The Keras preprocessing layers, working on pixel values in 0..255.

        Args:
            seed: makes the random draws repeatable.

        Returns:
            A list of layers (empty when nothing is switched on), in ImageDataGenerator's
            order: rotation, shifts, shear, zoom, then flip and contrast.
        """
        self.validate()
        fill = {"fill_mode": self.fill_mode, "fill_value": 0.0, "seed": seed}
        out = []
        if self.rotation_deg > 0:
            out.append(keras.layers.RandomRotation(self.rotation_deg / 360.0, **fill))
        if self.width_shift > 0 or self.height_shift > 0:
            out.append(keras.layers.RandomTranslation(self.height_shift, self.width_shift, **fill))
        if self.shear_deg > 0:
            out.append(keras.layers.RandomShear(x_factor=shear_factor(self.shear_deg), **fill))
        if self.zoom > 0:
            out.append(keras.layers.RandomZoom(self.zoom, self.zoom, **fill))
        if self.flip != "none":
            out.append(keras.layers.RandomFlip(self.flip, seed=seed))
        if self.contrast > 0:
            out.append(keras.layers.RandomContrast(self.contrast, value_range=(0, 255), seed=seed))
        return out

    def apply(self, images: np.ndarray, seed: int = 0) -> np.ndarray:
        """Augment a batch once, as training would (for the preview grid).

        Args:
            images: (N, H, W, C) uint8 in 0..255.
            seed: repeatable random draws.

        Returns:
            (N, H, W, C) uint8 augmented copies; the input is not changed.
        """
        images = np.asarray(images)
        layers = self.layers(seed=seed)
        if not layers or len(images) == 0:
            return images.copy()
        x = images.astype(np.float32)
        for layer in layers:
            x = layer(x, training=True)
        return np.clip(np.round(keras.ops.convert_to_numpy(x)), 0, 255).astype(np.uint8)

    @classmethod
    def from_image_data_generator(cls, **kwargs) -> Augmentation:
        """The augmentation ``keras.preprocessing.image.ImageDataGenerator(**kwargs)`` does.

        Args:
            **kwargs: ``rotation_range``, ``width_shift_range``, ``height_shift_range``,
                ``shear_range``, ``zoom_range`` (a number), ``horizontal_flip``,
                ``vertical_flip`` and ``fill_mode``; shifts are fractions (below 1).
                ``rescale=1./255`` (the courses' call) sets ``preprocessing="rescale"``;
                ``rescale=None`` or 0 (no rescaling) leaves it None.

        Raises:
            InputError: an argument this app does not reproduce (a rescale other than
                1/255 among them).
        """
        known = {*COURSES_IMAGE_DATA_GENERATOR, "vertical_flip", "rescale"}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise InputError(f"ImageDataGenerator arguments not reproduced here: {unknown}.")
        rescale = kwargs.get("rescale")
        preprocessing = None
        if rescale is not None and float(rescale) != 0:
            if not math.isclose(float(rescale), RESCALE, rel_tol=1e-6):
                raise InputError(
                    f"ImageDataGenerator rescale={rescale!r} is not reproduced here: only "
                    "rescale=1./255 (pixels 0..255 to 0..1), or none."
                )
            preprocessing = "rescale"
        h, v = bool(kwargs.get("horizontal_flip")), bool(kwargs.get("vertical_flip"))
        flip = {(False, False): "none", (True, False): "horizontal", (False, True): "vertical"}
        return cls(
            flip=flip.get((h, v), "horizontal_and_vertical"),
            rotation_deg=float(kwargs.get("rotation_range", 0)),
            width_shift=float(kwargs.get("width_shift_range", 0)),
            height_shift=float(kwargs.get("height_shift_range", 0)),
            shear_deg=float(kwargs.get("shear_range", 0)),
            zoom=float(kwargs.get("zoom_range", 0)),
            fill_mode=str(kwargs.get("fill_mode", "nearest")),
            preprocessing=preprocessing,
        )

    def as_image_data_generator(self) -> dict:
        """The ``ImageDataGenerator`` arguments of these settings (contrast has none).

        ``rescale`` is there only when ``preprocessing`` is ``"rescale"``.
        """
        rescale = {"rescale": RESCALE} if self.preprocessing == "rescale" else {}
        return {
            **rescale,
            "rotation_range": self.rotation_deg,
            "width_shift_range": self.width_shift,
            "height_shift_range": self.height_shift,
            "shear_range": self.shear_deg,
            "zoom_range": self.zoom,
            "horizontal_flip": self.flip in ("horizontal", "horizontal_and_vertical"),
            "vertical_flip": self.flip in ("vertical", "horizontal_and_vertical"),
            "fill_mode": self.fill_mode,
        }

    @classmethod
    def courses(cls) -> Augmentation:
        """The courses' settings (:data:`COURSES_IMAGE_DATA_GENERATOR`)."""
        return cls.from_image_data_generator(**COURSES_IMAGE_DATA_GENERATOR)

    @classmethod
    def from_dict(cls, data: dict | None) -> Augmentation:
        """Inverse of ``dataclasses.asdict``, also for metadata stored in the earlier units.

        Earlier metadata has ``rotation`` as a fraction of a turn and one ``shift``.
        """
        data = dict(data or {})
        number = {k: float(data[k]) for k in LIMITS if data.get(k) is not None}
        if "rotation_deg" not in data and data.get("rotation") is not None:
            number["rotation_deg"] = float(data["rotation"]) * 360.0
        if "width_shift" not in data and data.get("shift") is not None:
            number["width_shift"] = number["height_shift"] = float(data["shift"])
        return cls(
            flip=str(data.get("flip", "none")),
            fill_mode=str(data.get("fill_mode", "nearest")),
            preprocessing=data.get("preprocessing"),
            **number,
        )
