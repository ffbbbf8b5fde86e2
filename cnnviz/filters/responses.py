"""What the Filters page shows, computed apart from it: one Gabor response, a bank's grid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnviz.filters.bank import bank_responses, gabor_bank, normalize_kernel, strongest_kernel
from cnnviz.filters.convolution import filter2d
from cnnviz.filters.gabor import GaborSpec, gabor_kernel
from cnnviz.filters.sobel import direction_rgb


def gabor_response(
    gray: np.ndarray, params: Sequence[float], *, zero_mean: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """One Gabor kernel and the gray image filtered with it.

    Args:
        gray: (H, W) gray image, uint8 0..255 or float.
        params: ``(ksize, sigma, theta, lambd, gamma, psi)`` as :func:`gabor_kernel` takes
            them (angles in radians).
        zero_mean: subtract the kernel's mean, so plain brightness gives 0.

    Returns:
        ``(kernel, response)``: (ksize, ksize) float32, and (H, W) float16 (half the memory
        of float32; three significant digits are plenty for a colour map).
    """
    kernel = gabor_kernel(*params)
    if zero_mean:
        kernel = normalize_kernel(kernel, unit_l1=False)
    return kernel, filter2d(gray, kernel).astype(np.float16)


def bank_grid(
    gray: np.ndarray, orientations: int, wavelengths: Sequence[float], gamma: float
) -> tuple[list[GaborSpec], np.ndarray]:
    """A Gabor bank, row by row, and the gray image filtered with each kernel.

    Args:
        gray: (H, W) gray image; keep it small (the page uses at most 192 pixels).
        orientations: columns of the grid, 1..16.
        wavelengths: rows of the grid, λ in pixels, each ≥ 2.
        gamma: aspect ratio of every kernel, > 0.

    Returns:
        ``(specs, responses)``: ``orientations × len(wavelengths)`` specs, one wavelength
        after another, and (K, H, W) float32 normalised responses (see
        :func:`bank_responses`).
    """
    rows = gabor_bank(orientations, wavelengths, gamma=gamma)
    specs = [spec for row in rows for spec in row]
    return specs, bank_responses(gray, specs)


def strongest_orientation_rgb(specs: Sequence[GaborSpec], responses: np.ndarray) -> np.ndarray:
    """Colour every pixel by the orientation of the kernel that responds most there.

    Args:
        specs: the K kernels the responses come from.
        responses: (K, H, W) responses.

    Returns:
        (H, W, 3) uint8 RGB: hue = orientation (red 0°, green 45°, cyan 90°, violet 135°),
        brightness = that kernel's |response|.
    """
    index, best = strongest_kernel(responses)
    theta = np.array([spec.theta for spec in specs])[index]
    # Orientations repeat every 180°, so double the angle to use the whole colour wheel.
    return direction_rgb((2 * theta).astype(np.float32), best)
