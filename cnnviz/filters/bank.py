"""Filter banks: Gabor kernels at several orientations and wavelengths, and their responses."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters.checks import check_kernel, gray_float, odd_size, positive_number
from cnnviz.filters.convolution import filter2d
from cnnviz.filters.gabor import GaborSpec


def gabor_bank(
    orientations: int = 4,
    wavelengths: Sequence[float] = (4.0, 8.0, 16.0),
    *,
    gamma: float = 0.5,
    psi: float = 0.0,
    sigma_per_wavelength: float = 0.56,
    max_ksize: int = 63,
) -> list[list[GaborSpec]]:
    """A grid of Gabor kernels: one row per wavelength, one column per orientation.

    The Gaussian width grows with the wavelength (σ = 0.56 λ gives each kernel a bandwidth
    of about one octave, the usual choice), and each kernel is just big enough to hold its
    window (side ≈ 6σ, odd, at most ``max_ksize``).

    Args:
        orientations: number of evenly spaced orientations θ = k·180°/n, k = 0..n-1 (1..16).
        wavelengths: the wavelengths λ in pixels, each ≥ 2.
        gamma: aspect ratio shared by all kernels, > 0.
        psi: phase in radians shared by all kernels.
        sigma_per_wavelength: σ / λ, > 0.
        max_ksize: cap on the kernel side (odd), so big wavelengths stay fast.

    Returns:
        ``rows[i][j]`` is the spec for ``wavelengths[i]`` and orientation ``j``.
    """
    if isinstance(orientations, bool) or not isinstance(orientations, int | np.integer):
        raise InputError(
            f"The number of orientations must be a whole number, got {orientations!r}."
        )
    if not 1 <= orientations <= 16:
        raise InputError(f"Use 1 to 16 orientations, got {orientations}.")
    if len(wavelengths) == 0:
        raise InputError("Choose at least one wavelength.")
    max_ksize = odd_size(max_ksize, "largest kernel size")
    ratio = positive_number(sigma_per_wavelength, "sigma per wavelength")
    rows = []
    for lambd in wavelengths:
        lambd = positive_number(lambd, "wavelength")
        if lambd < 2:
            raise InputError(f"A wavelength below 2 pixels cannot be drawn on pixels (λ={lambd}).")
        sigma = ratio * lambd
        ksize = min(max_ksize, 2 * math.ceil(3 * sigma) + 1)
        rows.append(
            [
                GaborSpec(ksize, sigma, k * math.pi / orientations, lambd, gamma, psi)
                for k in range(orientations)
            ]
        )
    return rows


def normalize_kernel(kernel: np.ndarray, *, unit_l1: bool = True) -> np.ndarray:
    """Zero mean and unit L1 norm, so kernels of different sizes can be compared fairly.

    Zero mean removes the response to plain brightness (a flat image gives 0); unit L1 norm
    (Σ|k| = 1) bounds every response by the image's value range, whatever the kernel size.

    Args:
        kernel: (kh, kw) kernel with odd sides.
        unit_l1: also scale to Σ|k| = 1; ``False`` only subtracts the mean.

    Returns:
        (kh, kw) float32; an all-constant kernel becomes all zeros.
    """
    k = check_kernel(kernel).astype(np.float64)
    k -= k.mean()
    norm = np.abs(k).sum()
    if unit_l1 and norm > 0:
        k /= norm
    return k.astype(np.float32)


def bank_responses(
    image: np.ndarray, specs: Sequence[GaborSpec], *, normalize: bool = True
) -> np.ndarray:
    """Filter one gray image with every kernel of a bank.

    Args:
        image: (H, W) gray image, uint8 0..255 or float.
        specs: the kernels, e.g. ``[s for row in gabor_bank() for s in row]``.
        normalize: filter with :func:`normalize_kernel` versions of the kernels, so
            responses of big and small kernels are comparable (default); ``False`` uses the
            raw OpenCV kernels.

    Returns:
        (K, H, W) float32 responses (reflected borders). Normalised: within ±(max − min) of
        the image values, 0 on flat areas.
    """
    gray = gray_float(image)
    if not specs:
        return np.zeros((0, *gray.shape), dtype=np.float32)
    kernels = [spec.kernel() for spec in specs]
    if normalize:
        kernels = [normalize_kernel(k) for k in kernels]
    return np.stack([filter2d(gray, k) for k in kernels])


def strongest_kernel(responses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which kernel responds most strongly at each pixel.

    Args:
        responses: (K, H, W) float responses, e.g. from :func:`bank_responses`.

    Returns:
        ``(index, strength)``: (H, W) int64 index of the kernel with the largest absolute
        response, and (H, W) float32 that absolute response.
    """
    if responses.ndim != 3 or responses.shape[0] == 0:
        raise InputError(f"Expected (K, H, W) responses with K ≥ 1, got {responses.shape}.")
    magnitude = np.abs(responses)
    index = np.argmax(magnitude, axis=0)
    strength = np.take_along_axis(magnitude, index[None], axis=0)[0]
    return index, strength.astype(np.float32)


def padded_kernels(specs: Sequence[GaborSpec]) -> list[np.ndarray]:
    """Every kernel of a bank zero-padded to the largest side, for a grid at true sizes.

    Args:
        specs: the kernels (odd sides), at least one.

    Returns:
        One (side, side) float32 kernel per spec, side = the largest ``ksize``; each kernel
        sits in the centre.
    """
    side = max(spec.ksize for spec in specs)
    return [np.pad(spec.kernel(), (side - spec.ksize) // 2) for spec in specs]
