"""Checks shared by the filter modules: whole numbers, kernel sizes, images and kernels.

Each check returns the value in the form the caller computes with, or raises an
:class:`~cnnviz.errors.InputError` naming the value and what was expected.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from cnnviz.errors import InputError

#: Border handling names → OpenCV flags. "zero" is what a CNN's zero padding does.
BORDERS: dict[str, int] = {
    "zero": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
    "replicate": cv2.BORDER_REPLICATE,
}
#: Largest Gabor / custom kernel side accepted.
MAX_KERNEL_SIZE = 127


def whole_number(value: object, name: str, minimum: int) -> int:
    """The value as an int ≥ ``minimum`` (a float like 3.0 counts as whole)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"The {name} must be a whole number, got {value!r}.")
    if value < minimum:
        raise InputError(f"The {name} must be at least {minimum}, got {value}.")
    return int(value)


def odd_size(value: object, name: str) -> int:
    """An odd kernel side, 1..MAX_KERNEL_SIZE."""
    size = whole_number(value, name, 1)
    if size % 2 == 0 or size > MAX_KERNEL_SIZE:
        raise InputError(
            f"The {name} must be odd (so the kernel has a centre) and at most "
            f"{MAX_KERNEL_SIZE}, got {size}."
        )
    return size


def finite_number(value: object, name: str) -> float:
    """The value as a finite float."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be a number, got {value!r}.") from err
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number, got {value!r}.")
    return number


def positive_number(value: object, name: str) -> float:
    """The value as a finite float > 0."""
    number = finite_number(value, name)
    if number <= 0:
        raise InputError(f"{name} must be greater than 0, got {value!r}.")
    return number


def border_flag(name: str) -> int:
    """The OpenCV flag of a border name from :data:`BORDERS`."""
    try:
        return BORDERS[name]
    except (KeyError, TypeError) as err:
        raise InputError(f"Unknown border {name!r}; choose one of {', '.join(BORDERS)}.") from err


def check_image(image: np.ndarray) -> np.ndarray:
    """An (H, W) or (H, W, C) numeric, non-empty image, as an array."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise InputError(f"Expected an (H, W) or (H, W, C) image, got shape {image.shape}.")
    if image.dtype == bool or not np.issubdtype(image.dtype, np.number):
        raise InputError(f"Expected numeric pixels, got {image.dtype}.")
    return image


def gray_float(image: np.ndarray) -> np.ndarray:
    """An (H, W) or (H, W, 1) image as a contiguous (H, W) float32 array."""
    image = check_image(image)
    if image.ndim == 3:
        if image.shape[2] != 1:
            raise InputError(f"Expected a gray (H, W) image, got shape {image.shape}.")
        image = image[:, :, 0]
    return np.ascontiguousarray(image, dtype=np.float32)


def check_kernel(kernel: np.ndarray) -> np.ndarray:
    """A 2-D kernel with odd sides and finite weights, as contiguous float32."""
    k = np.asarray(kernel)
    if k.ndim != 2 or k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0:
        raise InputError(f"A kernel must be a 2-D array with odd sides, got shape {k.shape}.")
    if max(k.shape) > MAX_KERNEL_SIZE:
        raise InputError(f"Kernels larger than {MAX_KERNEL_SIZE} are not supported.")
    try:
        k = k.astype(np.float32)
    except (TypeError, ValueError) as err:
        raise InputError("Every kernel weight must be a number.") from err
    if not np.all(np.isfinite(k)):
        raise InputError("Every kernel weight must be a finite number (no blanks, no NaN).")
    return np.ascontiguousarray(k)
