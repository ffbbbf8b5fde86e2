"""Gabor kernels: a cosine wave seen through a Gaussian window, as OpenCV draws them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnviz.filters.checks import finite_number, odd_size, positive_number


def gabor_kernel(
    ksize: int, sigma: float, theta: float, lambd: float, gamma: float, psi: float
) -> np.ndarray:
    """A Gabor kernel: a cosine wave seen through a Gaussian window.

    Same parameters and values as ``cv2.getGaborKernel((ksize, ksize), sigma, theta, lambd,
    gamma, psi, ktype=cv2.CV_32F)``, written out so the formula is visible::

        x' =  x cos θ + y sin θ
        y' = -x sin θ + y cos θ
        g(x, y) = exp(-(x'² + γ² y'²) / (2σ²)) · cos(2π x' / λ + ψ)

    with x to the left and y upwards from the centre (OpenCV's convention: the kernel is
    stored flipped in both axes, which is what makes it line up with ``cv2.filter2D``).

    Args:
        ksize: side of the square kernel in pixels, odd, 1..MAX_KERNEL_SIZE.
        sigma: width of the Gaussian window in pixels, > 0.
        theta: orientation in radians: the direction the wave travels (0 = stripes are
            vertical, so the kernel responds to vertical edges and bars).
        lambd: wavelength of the cosine in pixels, > 0 (≥ 2 to be visible on a pixel grid).
        gamma: spatial aspect ratio, > 0 (1 = round window, < 1 = elongated along the
            stripes).
        psi: phase offset in radians (0 = even/symmetric "bar" detector, π/2 = odd/"edge").

    Returns:
        (ksize, ksize) float32 kernel, values in [-1, 1], not normalised.

    Raises:
        InputError: a parameter is out of range.
    """
    ksize = odd_size(ksize, "kernel size")
    sigma = positive_number(sigma, "sigma")
    lambd = positive_number(lambd, "lambda (wavelength)")
    gamma = positive_number(gamma, "gamma (aspect ratio)")
    theta = finite_number(theta, "theta")
    psi = finite_number(psi, "psi")

    return gabor_values(ksize, sigma, theta, lambd, gamma, psi).astype(np.float32)


def gabor_wavelength(frequency: float) -> float:
    """The wavelength λ (pixels) of a Gabor kernel given by its frequency.

    Some courses (and ``skimage.filters.gabor_kernel``) set the stripes by their spatial
    frequency f, in cycles per pixel, rather than by their wavelength: λ = 1 / f, so
    ``gabor_kernel(..., gabor_wavelength(f), ...)`` is the kernel of frequency f.

    Raises:
        InputError: ``frequency`` is not a finite number > 0.
    """
    return 1.0 / positive_number(frequency, "frequency (cycles per pixel)")


def gabor_frequency(wavelength: float) -> float:
    """The frequency f = 1 / λ, in cycles per pixel, of a wavelength λ in pixels."""
    return 1.0 / positive_number(wavelength, "wavelength λ (pixels)")


def gabor_values(ksize: int, sigma, theta, lambd, gamma, psi) -> np.ndarray:
    """The Gabor formula in float64, for scalars or broadcastable arrays of parameters.

    Returns:
        (..., ksize, ksize): one kernel per broadcast combination of the parameters.
    """
    sigma, theta, lambd, gamma, psi = (
        np.asarray(v, dtype=np.float64)[..., None, None] for v in (sigma, theta, lambd, gamma, psi)
    )
    half = ksize // 2
    # Row i holds y = half - i and column j holds x = half - j: OpenCV's flipped storage.
    coords = np.arange(half, -half - 1, -1, dtype=np.float64)
    y, x = np.meshgrid(coords, coords, indexing="ij")
    c, s = np.cos(theta), np.sin(theta)
    x_rot = x * c + y * s
    y_rot = -x * s + y * c
    sigma_x, sigma_y = sigma, sigma / gamma
    envelope = np.exp(-0.5 * (x_rot**2 / sigma_x**2 + y_rot**2 / sigma_y**2))
    carrier = np.cos(2.0 * np.pi / lambd * x_rot + psi)
    return envelope * carrier


@dataclass(frozen=True)
class GaborSpec:
    """Parameters of one Gabor kernel (angles in radians, lengths in pixels)."""

    ksize: int
    sigma: float
    theta: float
    lambd: float
    gamma: float = 0.5
    psi: float = 0.0

    def kernel(self) -> np.ndarray:
        """The (ksize, ksize) float32 kernel, see :func:`gabor_kernel`."""
        return gabor_kernel(self.ksize, self.sigma, self.theta, self.lambd, self.gamma, self.psi)

    @property
    def label(self) -> str:
        """Short caption, e.g. ``"θ=45° λ=8"``."""
        return f"θ={math.degrees(self.theta):.0f}° λ={self.lambd:g}"
