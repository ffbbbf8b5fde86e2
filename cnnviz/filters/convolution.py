"""Sliding a kernel over an image, and one output pixel computed in the open.

CNN layers (Keras ``Conv2D``, PyTorch ``Conv2d``) and OpenCV's ``cv2.filter2D`` do not flip
the kernel: they compute a *cross-correlation*. :func:`filter2d` and
:func:`convolution_step` follow them, so the number a student computes by hand is exactly
the output pixel; :func:`convolve` is the flipped, textbook version, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters.checks import border_flag, check_image, check_kernel, gray_float


def filter2d(image: np.ndarray, kernel: np.ndarray, *, border: str = "reflect") -> np.ndarray:
    """Slide ``kernel`` over ``image`` (cross-correlation, as in CNN layers).

    ``out[r, c] = Σ_{i,j} kernel[i, j] · image[r + i - kh//2, c + j - kw//2]``, with pixels
    outside the image supplied by ``border``. The output has the input's size ("same").

    Args:
        image: (H, W) or (H, W, C) image, uint8 or float; each channel is filtered alone.
        kernel: (kh, kw) float kernel with odd sides (so it has a centre pixel).
        border: ``"zero"`` (zero padding, what CNNs do), ``"reflect"`` (mirror without
            repeating the edge, OpenCV's default) or ``"replicate"`` (repeat the edge).

    Returns:
        float32 array with the shape of ``image``.
    """
    src = np.ascontiguousarray(check_image(image), dtype=np.float32)
    k = check_kernel(kernel)
    return cv2.filter2D(src, cv2.CV_32F, k, borderType=border_flag(border))


def convolve(image: np.ndarray, kernel: np.ndarray, *, border: str = "reflect") -> np.ndarray:
    """True (textbook) convolution: :func:`filter2d` with the kernel flipped in both axes.

    Equal to :func:`filter2d` for kernels that are symmetric under a 180° turn (blur,
    Laplacian); the sign flips for Sobel and Prewitt.
    """
    return filter2d(image, check_kernel(kernel)[::-1, ::-1], border=border)


@dataclass(frozen=True)
class ConvolutionStep:
    """One output pixel of :func:`filter2d`, computed in the open.

    Attributes:
        row: output row (= centre row of the patch in the image).
        col: output column.
        patch: (kh, kw) float32 image values under the kernel, padding included.
        kernel: (kh, kw) float32 kernel.
        product: (kh, kw) float32 ``patch * kernel``.
        total: sum of ``product``: the output pixel.
        outside: (kh, kw) bool, True where the patch lies beyond the image border (values
            there come from the padding rule).
    """

    row: int
    col: int
    patch: np.ndarray = field(repr=False)
    kernel: np.ndarray = field(repr=False)
    product: np.ndarray = field(repr=False)
    total: float
    outside: np.ndarray = field(repr=False)


def convolution_step(
    image: np.ndarray, kernel: np.ndarray, row: int, col: int, *, border: str = "zero"
) -> ConvolutionStep:
    """The patch, kernel, element-wise product and sum that make output pixel (row, col).

    ``convolution_step(img, k, r, c, border=b).total`` equals
    ``filter2d(img, k, border=b)[r, c]`` (up to float rounding).

    Args:
        image: (H, W) gray image, uint8 or float.
        kernel: (kh, kw) kernel with odd sides.
        row: output row, 0..H-1.
        col: output column, 0..W-1.
        border: padding rule, as in :func:`filter2d`.

    Returns:
        The :class:`ConvolutionStep`.
    """
    gray = gray_float(image)
    k = check_kernel(kernel)
    h, w = gray.shape
    for name, value, limit in (("row", row, h), ("column", col, w)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InputError(f"The {name} must be a whole number, got {value!r}.")
        if not 0 <= value < limit:
            raise InputError(f"The {name} must be between 0 and {limit - 1}, got {value}.")
    kh, kw = k.shape
    top, left = kh // 2, kw // 2
    # Pad only the window we need, with the same rule filter2D uses.
    padded = cv2.copyMakeBorder(gray, top, top, left, left, border_flag(border), value=0)
    patch = padded[row : row + kh, col : col + kw].copy()
    rows = np.arange(row - top, row - top + kh)[:, None]
    cols = np.arange(col - left, col - left + kw)[None, :]
    outside = (rows < 0) | (rows >= h) | (cols < 0) | (cols >= w)
    product = patch * k
    return ConvolutionStep(
        row=int(row),
        col=int(col),
        patch=patch,
        kernel=k.copy(),
        product=product,
        total=float(product.sum(dtype=np.float64)),
        outside=outside,
    )


def neighbourhood(
    image: np.ndarray, box: tuple[int, int, int, int], margin: int
) -> tuple[np.ndarray, int, int]:
    """The pixels around a box of the image, for a zoomed view.

    Args:
        image: (H, W) gray image.
        box: ``(top, left, bottom, right)`` pixels of the image, inclusive.
        margin: pixels to show on every side of the box (fewer at the image's border).

    Returns:
        ``(zoom, r0, c0)``: the float32 pixels and the image position of its top-left one.
    """
    top, left, bottom, right = box
    r0, c0 = max(0, top - margin), max(0, left - margin)
    zoom = np.asarray(image)[r0 : bottom + margin + 1, c0 : right + margin + 1]
    return zoom.astype(np.float32), r0, c0
