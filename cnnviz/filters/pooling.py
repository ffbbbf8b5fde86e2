"""Max pooling as Keras does it, and one output pixel computed in the open."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters.checks import gray_float, whole_number


@dataclass(frozen=True)
class PoolingStep:
    """One output pixel of :func:`max_pool`, computed in the open.

    Attributes:
        row, col: output position.
        top, left: the window's top-left pixel in the image.
        patch: (size, size) float32 image values under the window (NaN beyond the border).
        argmax: (r, c) of the largest value inside ``patch``.
        value: that largest value: the output pixel.
    """

    row: int
    col: int
    top: int
    left: int
    patch: np.ndarray = field(repr=False)
    argmax: tuple[int, int]
    value: float


def max_pool(image: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling as Keras ``MaxPooling2D(size, strides=stride, padding="valid")`` does.

    Args:
        image: (H, W) gray image, uint8 or float.
        size: window side, 1..H and 1..W.
        stride: step between windows, ≥ 1 (default: the window size).

    Returns:
        (⌊(H − size)/stride⌋ + 1, ⌊(W − size)/stride⌋ + 1) float32: the largest value in
        each window (windows that would cross the far border are dropped, as in Keras).
    """
    gray = gray_float(image)
    size = whole_number(size, "pool size", 1)
    stride = size if stride is None else whole_number(stride, "pool stride", 1)
    h, w = gray.shape
    if size > min(h, w):
        raise InputError(f"The pool size ({size}) is larger than the image ({w}×{h}).")
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    windows = np.lib.stride_tricks.sliding_window_view(gray, (size, size))[::stride, ::stride]
    return np.ascontiguousarray(windows[:out_h, :out_w].max(axis=(2, 3)), dtype=np.float32)


def pooling_step(
    image: np.ndarray, row: int, col: int, size: int = 2, stride: int | None = None
) -> PoolingStep:
    """The window, its largest value and where it sits, for output pixel (row, col).

    ``pooling_step(img, r, c, size, stride).value == max_pool(img, size, stride)[r, c]``.

    Args:
        image: (H, W) gray image.
        row: output row, inside the :func:`max_pool` output.
        col: output column.
        size: window side, as in :func:`max_pool`.
        stride: step between windows (default: the window size).

    Returns:
        The :class:`PoolingStep`.
    """
    gray = gray_float(image)
    size = whole_number(size, "pool size", 1)
    stride = size if stride is None else whole_number(stride, "pool stride", 1)
    h, w = gray.shape
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    for name, value, limit in (("row", row, out_h), ("column", col, out_w)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InputError(f"The {name} must be a whole number, got {value!r}.")
        if not 0 <= value < limit:
            raise InputError(f"The output {name} must be between 0 and {limit - 1}, got {value}.")
    top, left = int(row) * stride, int(col) * stride
    patch = gray[top : top + size, left : left + size].copy()
    r, c = np.unravel_index(int(np.argmax(patch)), patch.shape)
    return PoolingStep(
        row=int(row), col=int(col), top=top, left=left, patch=patch,
        argmax=(int(r), int(c)), value=float(patch[r, c]),
    )  # fmt: skip
