"""Classic hand-designed kernels (blur, sharpen, edges, Haar-like features) in 3×3 and 5×5."""

from __future__ import annotations

import cv2
import numpy as np

from cnnviz.errors import InputError

#: What each preset does, in a sentence a student can read next to it.
PRESET_NOTES: dict[str, str] = {
    "identity": "Copies the image: only the centre weight is 1.",
    "box blur": "Averages the neighbourhood: every weight is 1/(size²).",
    "gaussian blur": "Weighted average, nearer pixels count more: a softer blur.",
    "sharpen": "Adds the difference between a pixel and its neighbours back, so edges pop.",
    "emboss": "Light from the top left: edges facing it brighten, the others darken.",
    "laplacian": "Second derivative: responds to edges and spots in every direction.",
    "prewitt x": "Left-to-right brightness change, plain average across rows.",
    "prewitt y": "Top-to-bottom brightness change, plain average across columns.",
    "sobel x": "Left-to-right brightness change, centre row weighted more (as cv2.Sobel).",
    "sobel y": "Top-to-bottom brightness change, centre column weighted more (as cv2.Sobel).",
    "haar edge x": "Haar-like two-rectangle feature: right half minus left half (a vertical "
    "edge). The odd-sized kernel leaves its centre column at 0.",
    "haar edge y": "Haar-like two-rectangle feature: bottom half minus top half (a horizontal "
    "edge). The centre row is 0.",
    "haar line x": "Haar-like three-rectangle feature: a bright vertical band between two dark "
    "ones (a line detector).",
    "haar line y": "Haar-like three-rectangle feature: a bright horizontal band between two "
    "dark ones.",
    "haar four": "Haar-like four-rectangle feature: one diagonal pair of quadrants minus the "
    "other (corners and checkerboards). The centre row and column are 0.",
}
#: Preset names, in the order the page lists them.
KERNEL_PRESETS: tuple[str, ...] = tuple(PRESET_NOTES)
#: Sizes every preset comes in.
PRESET_SIZES = (3, 5)


def kernel_preset(name: str, size: int = 3) -> np.ndarray:
    """A classic hand-designed kernel.

    Args:
        name: one of :data:`KERNEL_PRESETS` (case-insensitive).
        size: 3 or 5.

    Returns:
        (size, size) float32 kernel (to use with :func:`filter2d`, i.e. unflipped). The
        Sobel presets equal the kernels ``cv2.Sobel`` applies; the Laplacian presets equal
        ``cv2.Laplacian`` with ``ksize=1`` (3×3) and ``ksize=5`` (5×5).
    """
    key = str(name).strip().lower()
    if key not in PRESET_NOTES:
        raise InputError(
            f"Unknown kernel preset {name!r}; choose one of {', '.join(KERNEL_PRESETS)}."
        )
    if isinstance(size, bool) or size not in PRESET_SIZES:
        raise InputError(f"Preset kernels come in sizes {PRESET_SIZES}, got {size!r}.")
    half = size // 2
    offsets = np.arange(-half, half + 1, dtype=np.float32)
    dy, dx = np.meshgrid(offsets, offsets, indexing="ij")
    identity = np.zeros((size, size), np.float32)
    identity[half, half] = 1.0
    box = np.full((size, size), 1.0 / size**2, np.float32)

    if key == "identity":
        k = identity
    elif key == "box blur":
        k = box
    elif key == "gaussian blur":
        g = cv2.getGaussianKernel(size, 0, cv2.CV_32F)
        k = g @ g.T
    elif key == "sharpen":
        if size == 3:  # the classic: 5 in the centre, -1 at the four neighbours
            k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32)
        else:  # unsharp masking: image + (image - blur)
            k = 2 * identity - box
    elif key == "emboss":
        k = dx + dy  # -2..2 (3×3) or -4..4 (5×5) along the diagonal
        k[half, half] = 1.0
    elif key == "laplacian":
        if size == 3:
            k = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)
        else:
            k = _sobel_kernel(2, 0, size) + _sobel_kernel(0, 2, size)
    elif key == "prewitt x":
        k = np.tile(offsets, (size, 1))
    elif key == "prewitt y":
        k = np.tile(offsets[:, None], (1, size))
    elif key == "sobel x":
        k = _sobel_kernel(1, 0, size)
    elif key == "sobel y":
        k = _sobel_kernel(0, 1, size)
    else:
        k = _haar_kernel(key.removeprefix("haar "), dx, dy)
    return np.ascontiguousarray(k, dtype=np.float32)


def _haar_kernel(kind: str, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """A Haar-like feature on an odd grid, its positive and negative parts each summing to ±1.

    Args:
        kind: ``"edge x"``, ``"edge y"``, ``"line x"``, ``"line y"`` or ``"four"``.
        dx: (size, size) column offsets from the centre.
        dy: (size, size) row offsets from the centre.
    """
    half = int(dx.max())
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


def _sobel_kernel(dx: int, dy: int, size: int) -> np.ndarray:
    """The 2-D kernel cv2.Sobel(dx, dy, ksize=size) correlates with."""
    kx, ky = cv2.getDerivKernels(dx, dy, size, normalize=False, ktype=cv2.CV_32F)
    return (ky @ kx.T).astype(np.float32)
