"""The classic kernels themselves, one function per shape, each taking an odd side.

Every function returns a (size, size) float32 kernel to use with
:func:`~cnnviz.filters.filter2d` (unflipped). :mod:`cnnviz.filters.presets` names them for
students; the sizes it offers are 3 and 5.
"""

from __future__ import annotations

import cv2
import numpy as np


def _offsets(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets, dy, dx): -half..half, and the (size, size) row and column offsets."""
    half = size // 2
    offsets = np.arange(-half, half + 1, dtype=np.float32)
    dy, dx = np.meshgrid(offsets, offsets, indexing="ij")
    return offsets, dy, dx


def identity(size: int) -> np.ndarray:
    """Only the centre weight is 1."""
    k = np.zeros((size, size), np.float32)
    k[size // 2, size // 2] = 1.0
    return k


def box_blur(size: int) -> np.ndarray:
    """Every weight is 1/size²."""
    return np.full((size, size), 1.0 / size**2, np.float32)


def gaussian_blur(size: int) -> np.ndarray:
    """OpenCV's Gaussian for this size (σ from the size), as an outer product."""
    g = cv2.getGaussianKernel(size, 0, cv2.CV_32F)
    return g @ g.T


def sharpen(size: int) -> np.ndarray:
    """3×3: 5 in the centre, -1 at the four neighbours; larger: image + (image - blur)."""
    if size == 3:
        return np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32)
    return 2 * identity(size) - box_blur(size)  # unsharp masking


def emboss(size: int) -> np.ndarray:
    """-2..2 (3×3) or -4..4 (5×5) along the diagonal, 1 in the centre."""
    _, dy, dx = _offsets(size)
    k = dx + dy
    k[size // 2, size // 2] = 1.0
    return k


def sobel_derivative(dx: int, dy: int, size: int) -> np.ndarray:
    """The 2-D kernel cv2.Sobel(dx, dy, ksize=size) correlates with."""
    kx, ky = cv2.getDerivKernels(dx, dy, size, normalize=False, ktype=cv2.CV_32F)
    return (ky @ kx.T).astype(np.float32)


def laplacian(size: int) -> np.ndarray:
    """cv2.Laplacian's kernel: ``ksize=1`` for 3×3, ``ksize=size`` above."""
    if size == 3:
        return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)
    return sobel_derivative(2, 0, size) + sobel_derivative(0, 2, size)


def prewitt_x(size: int) -> np.ndarray:
    """Each row is -half..half: left-to-right change, plain average across rows."""
    offsets, _, _ = _offsets(size)
    return np.tile(offsets, (size, 1))


def prewitt_y(size: int) -> np.ndarray:
    """Each column is -half..half: top-to-bottom change."""
    offsets, _, _ = _offsets(size)
    return np.tile(offsets[:, None], (1, size))


def haar(kind: str, size: int) -> np.ndarray:
    """A Haar-like feature on an odd grid, its positive and negative parts each summing to ±1.

    Args:
        kind: ``"edge x"``, ``"edge y"``, ``"line x"``, ``"line y"`` or ``"four"``.
        size: odd side.
    """
    _, dy, dx = _offsets(size)
    half = size // 2
    if kind == "edge x":
        sign = np.sign(dx)
    elif kind == "edge y":
        sign = np.sign(dy)
    elif kind == "line x":  # centre band: 1 column (3×3) or 3 columns (5×5)
        sign = np.where(np.abs(dx) < max(1, half), 1.0, -1.0)
    elif kind == "line y":
        sign = np.where(np.abs(dy) < max(1, half), 1.0, -1.0)
    else:  # four rectangles: top-left and bottom-right positive
        sign = np.sign(dx) * np.sign(dy)
    sign = sign.astype(np.float64)
    # Each part averages its pixels: the output is the difference of the two parts' mean
    # brightness (0 on a flat patch, 255 on a black-to-white step).
    positive, negative = (sign > 0).sum(), (sign < 0).sum()
    return np.where(sign > 0, 1.0 / positive, np.where(sign < 0, -1.0 / negative, 0.0))
