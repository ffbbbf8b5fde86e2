"""Hand-made convolution filters: Gabor, Sobel, kernel presets, and convolution arithmetic.

Everything a convolutional layer does to one channel, before any learning: slide a small
kernel over the image and, at each position, sum the element-wise product of the kernel and
the image patch under it.

A note on "convolution". Mathematically a convolution flips the kernel before sliding it;
CNN layers (Keras ``Conv2D``, PyTorch ``Conv2d``) and OpenCV's ``cv2.filter2D`` do **not**
flip: they compute a *cross-correlation*. This module follows the CNN convention throughout:
:func:`filter2d`, :func:`convolution_step` and the presets all mean "no flip", so the number
a student computes by hand in :func:`convolution_step` is exactly the output pixel.
:func:`convolve` is the flipped, textbook version, for comparison.

All filtering runs in OpenCV (C++), never in Python loops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from cnnviz.errors import InputError

#: Border handling names → OpenCV flags. "zero" is what a CNN's zero padding does.
BORDERS: dict[str, int] = {
    "zero": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
    "replicate": cv2.BORDER_REPLICATE,
}
#: Kernel sizes ``cv2.Sobel`` accepts.
SOBEL_SIZES = (1, 3, 5, 7)
#: Largest Gabor / custom kernel side accepted.
MAX_KERNEL_SIZE = 127


# ---------------------------------------------------------------------------------------------
# Gabor


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
    ksize = _odd_size(ksize, "kernel size")
    sigma = _positive(sigma, "sigma")
    lambd = _positive(lambd, "lambda (wavelength)")
    gamma = _positive(gamma, "gamma (aspect ratio)")
    theta = _finite(theta, "theta")
    psi = _finite(psi, "psi")

    return _gabor_values(ksize, sigma, theta, lambd, gamma, psi).astype(np.float32)


def _gabor_values(ksize: int, sigma, theta, lambd, gamma, psi) -> np.ndarray:
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
    max_ksize = _odd_size(max_ksize, "largest kernel size")
    ratio = _positive(sigma_per_wavelength, "sigma per wavelength")
    rows = []
    for lambd in wavelengths:
        lambd = _positive(lambd, "wavelength")
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
    k = _check_kernel(kernel).astype(np.float64)
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
    gray = _as_gray_float(image)
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


# ---------------------------------------------------------------------------------------------
# Fitting a Gabor kernel to a learned one

#: Luminance weights used to turn an RGB kernel into one gray kernel (ITU-R BT.601).
LUMA = (0.299, 0.587, 0.114)


def kernel_to_gray(kernel: np.ndarray) -> np.ndarray:
    """One 2-D kernel for a (possibly multi-channel) learned kernel.

    An RGB kernel (kh, kw, 3) becomes its luminance combination 0.299 R + 0.587 G +
    0.114 B: on a gray image (R = G = B) a convolution with the RGB kernel gives exactly the
    response of this gray kernel up to the factor Σ weights = 1 — what the kernel does to
    brightness. Other channel counts use the channel mean.

    Args:
        kernel: (kh, kw) or (kh, kw, C) numbers.

    Returns:
        (kh, kw) float64.
    """
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim == 3 and k.shape[2] == 3:
        return k @ np.asarray(LUMA)
    if k.ndim == 3 and k.shape[2] >= 1:
        return k.mean(axis=2)
    if k.ndim == 2:
        return k
    raise InputError(f"Expected a (kh, kw) or (kh, kw, C) kernel, got shape {k.shape}.")


def _affine_fit(basis: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best a·basis + b for each basis (least squares); returns (residuals, (a, b)).

    Args:
        basis: (..., n) candidate kernels, flattened.
        target: (n,) the kernel to match.
    """
    g = basis - basis.mean(axis=-1, keepdims=True)
    t = target - target.mean()
    gg = np.einsum("...n,...n->...", g, g)
    a = np.einsum("...n,n->...", g, t) / np.where(gg > 0, gg, 1.0)
    b = target.mean() - a * basis.mean(axis=-1)
    residual = target - (a[..., None] * basis + b[..., None])
    return residual, np.stack([a, b], axis=-1)


def fit_gabor(kernel: np.ndarray, *, starts: int = 6) -> tuple[dict, float]:
    """The Gabor kernel closest to a learned kernel, by least squares.

    The model is ``a · gabor_kernel(ksize, σ, θ, λ, γ, ψ) + b``: a learned kernel has its own
    scale and may carry a constant offset, so the amplitude ``a`` and offset ``b`` are solved
    exactly (linear least squares) for every candidate, and σ, θ, λ, γ, ψ are searched:
    first on a grid of orientations, wavelengths, widths, phases and aspect ratios, then
    refined from the best ``starts`` grid points with ``scipy.optimize.least_squares``.

    Multi-channel kernels are fitted on :func:`kernel_to_gray` (luminance for RGB).

    The parameters are reported in a canonical form: θ in [0°, 180°) (θ + 180° with −ψ is
    the same kernel) and ψ in (−180°, 180°], with a ≥ 0 (a sign flip is ψ + 180°).
    On a 3×3 kernel seven numbers describe nine, so almost anything fits; the correlation
    means most for 5×5 and larger.

    Args:
        kernel: (k, k) or (k, k, C) learned weights, k odd (3, 5, 7, ... at most 31).
        starts: how many of the best grid points to refine.

    Returns:
        ``(params, correlation)``: ``params`` holds ``ksize, sigma, theta, lambd, gamma,
        psi`` (as :func:`gabor_kernel` takes them, angles in radians) plus ``amplitude``
        and ``offset``; ``correlation`` is the Pearson correlation in [-1, 1] between the
        kernel and the fitted Gabor (0 for a constant kernel).

    Raises:
        InputError: the kernel is not square with an odd side, or holds non-finite values.
    """
    from scipy.optimize import least_squares

    k = kernel_to_gray(kernel)
    if k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0 or not 3 <= k.shape[0] <= 31:
        raise InputError(f"Expected a square kernel with an odd side 3..31, got {k.shape}.")
    if not np.all(np.isfinite(k)):
        raise InputError("The kernel holds NaN or infinite values.")
    ksize = k.shape[0]
    target = k.ravel()
    if np.ptp(target) == 0:
        params = {
            "ksize": ksize, "sigma": ksize / 4, "theta": 0.0, "lambd": float(ksize),
            "gamma": 1.0, "psi": 0.0, "amplitude": 0.0, "offset": float(target[0]),
        }  # fmt: skip
        return params, 0.0

    # The grid: orientations every 22.5°, wavelengths from 2 px to twice the kernel,
    # windows from a quarter to the whole kernel, four phases, round and elongated windows.
    thetas = np.arange(8) * np.pi / 8
    lambdas = np.geomspace(2.0, 2.0 * ksize, 6)
    sigmas = np.array([0.2, 0.35, 0.6]) * ksize
    psis = np.arange(4) * np.pi / 2
    gammas = np.array([0.5, 1.0])
    grid = np.stack(np.meshgrid(sigmas, thetas, lambdas, gammas, psis, indexing="ij"), -1).reshape(
        -1, 5
    )
    basis = _gabor_values(ksize, *grid.T).reshape(len(grid), -1)
    residual, _ = _affine_fit(basis, target)
    order = np.argsort(np.einsum("gn,gn->g", residual, residual))[: max(1, starts)]

    lower = np.array([0.3, -4 * np.pi, 1.5, 0.1, -4 * np.pi])
    upper = np.array([2.0 * ksize, 4 * np.pi, 8.0 * ksize, 4.0, 4 * np.pi])

    def residuals(p: np.ndarray) -> np.ndarray:
        return _affine_fit(_gabor_values(ksize, *p)[None].reshape(1, -1), target)[0][0]

    best, best_cost = None, np.inf
    for x0 in grid[order]:
        fit = least_squares(residuals, np.clip(x0, lower + 1e-9, upper - 1e-9),
                            bounds=(lower, upper), x_scale="jac", max_nfev=200)  # fmt: skip
        if fit.cost < best_cost:
            best, best_cost = fit.x, fit.cost
    sigma, theta, lambd, gamma, psi = (float(v) for v in best)
    gabor = _gabor_values(ksize, sigma, theta, lambd, gamma, psi).ravel()
    _, ab = _affine_fit(gabor[None], target)
    amplitude, offset = float(ab[0, 0]), float(ab[0, 1])
    if amplitude < 0:  # −cos(u) = cos(u + π)
        amplitude, psi = -amplitude, psi + np.pi
    # θ + π with −ψ is the same kernel: bring θ into [0, π).
    turns = math.floor(theta / math.pi)
    theta -= turns * math.pi
    if theta >= math.pi:  # rounding: a θ just below 0 lands on π
        theta, turns = theta - math.pi, turns + 1
    if turns % 2:
        psi = -psi
    psi = float(math.remainder(psi, 2 * math.pi))
    if psi <= -math.pi:
        psi += 2 * math.pi
    fitted = amplitude * _gabor_values(ksize, sigma, theta, lambd, gamma, psi).ravel() + offset
    correlation = _correlation(fitted, target)
    params = {"ksize": ksize, "sigma": sigma, "theta": theta, "lambd": lambd, "gamma": gamma,
              "psi": psi, "amplitude": amplitude, "offset": offset}  # fmt: skip
    return params, correlation


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two flattened arrays (0 when either is constant)."""
    a = a - a.mean()
    b = b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b / denominator) if denominator > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Sobel


def sobel(
    gray: np.ndarray, ksize: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Image gradients with OpenCV's Sobel operator.

    Args:
        gray: (H, W) gray image, uint8 0..255 or float (any range).
        ksize: Sobel aperture, one of 1, 3, 5, 7 (1 means the plain [-1, 0, 1] difference).

    Returns:
        ``(gx, gy, magnitude, direction)``, each (H, W) float32:

        - ``gx``: ``cv2.Sobel(gray, CV_32F, 1, 0, ksize)`` (brightness change to the right),
          in the input's units times the kernel's gain (e.g. up to ±4·255 for uint8, ksize 3).
        - ``gy``: the same downwards (image rows grow downwards).
        - ``magnitude``: ``sqrt(gx² + gy²)``, ≥ 0.
        - ``direction``: ``arctan2(gy, gx)`` in radians, in [-π, π]: the way brightness
          increases, 0 = to the right, π/2 = downwards, ±π = to the left. Pixels with no
          gradient get 0.

        Borders are reflected (OpenCV's default, ``BORDER_REFLECT_101``).
    """
    if (
        isinstance(ksize, bool)
        or not isinstance(ksize, int | np.integer)
        or ksize not in SOBEL_SIZES
    ):
        raise InputError(f"The Sobel kernel size must be one of {SOBEL_SIZES}, got {ksize!r}.")
    src = _as_gray_float(gray)
    gx = cv2.Sobel(src, cv2.CV_32F, 1, 0, ksize=ksize)
    gy = cv2.Sobel(src, cv2.CV_32F, 0, 1, ksize=ksize)
    magnitude = cv2.magnitude(gx, gy)
    direction = np.arctan2(gy, gx).astype(np.float32)
    return gx, gy, magnitude, direction


def direction_rgb(
    direction: np.ndarray, magnitude: np.ndarray, *, percentile: float = 99.0
) -> np.ndarray:
    """Colour gradient directions by angle (hue) and strength (brightness).

    Args:
        direction: (H, W) angles in radians (any range; taken modulo 2π), e.g. from
            :func:`sobel`.
        magnitude: (H, W) non-negative strengths; the ``percentile``-th percentile maps to
            full brightness, so a few very strong edges do not make the rest black.
        percentile: in (0, 100].

    Returns:
        (H, W, 3) uint8 RGB: hue = angle (0 → red, 90° → yellow-green, 180° → cyan,
        270° → blue-violet), value = relative magnitude, saturation = full.
    """
    if direction.shape != magnitude.shape or direction.ndim != 2:
        raise InputError(
            f"direction and magnitude must be (H, W) arrays of one shape, got "
            f"{direction.shape} and {magnitude.shape}."
        )
    # OpenCV's 8-bit hue runs 0..179 for 0..358 degrees.
    turns = np.mod(direction.astype(np.float64), 2 * math.pi) / (2 * math.pi)
    hue = np.minimum(np.floor(turns * 180), 179).astype(np.uint8)
    top = float(np.percentile(magnitude, percentile)) if magnitude.size else 0.0
    value = np.clip(magnitude / top, 0, 1) if top > 0 else np.zeros_like(magnitude)
    hsv = np.dstack([hue, np.full_like(hue, 255), np.rint(value * 255).astype(np.uint8)])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def angle_wheel(size: int = 64) -> np.ndarray:
    """A colour wheel legend for :func:`direction_rgb`.

    0° points right and angles grow clockwise, because image rows grow downwards.

    Returns:
        (size, size, 3) uint8 RGB; outside the disc is white.
    """
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) - (size - 1) / 2
    radius = np.hypot(xx, yy) / ((size - 1) / 2)
    wheel = direction_rgb(np.arctan2(yy, xx), np.clip(radius, 0, 1), percentile=100)
    wheel[radius > 1] = 255
    return wheel


# ---------------------------------------------------------------------------------------------
# Filtering


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
    src = np.ascontiguousarray(_check_image(image), dtype=np.float32)
    k = _check_kernel(kernel)
    return cv2.filter2D(src, cv2.CV_32F, k, borderType=_border(border))


def convolve(image: np.ndarray, kernel: np.ndarray, *, border: str = "reflect") -> np.ndarray:
    """True (textbook) convolution: :func:`filter2d` with the kernel flipped in both axes.

    Equal to :func:`filter2d` for kernels that are symmetric under a 180° turn (blur,
    Laplacian); the sign flips for Sobel and Prewitt.
    """
    return filter2d(image, _check_kernel(kernel)[::-1, ::-1], border=border)


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
    gray = _as_gray_float(image)
    k = _check_kernel(kernel)
    h, w = gray.shape
    for name, value, limit in (("row", row, h), ("column", col, w)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InputError(f"The {name} must be a whole number, got {value!r}.")
        if not 0 <= value < limit:
            raise InputError(f"The {name} must be between 0 and {limit - 1}, got {value}.")
    kh, kw = k.shape
    top, left = kh // 2, kw // 2
    # Pad only the window we need, with the same rule filter2D uses.
    padded = cv2.copyMakeBorder(gray, top, top, left, left, _border(border), value=0)
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
    gray = _as_gray_float(image)
    size = _whole(size, "pool size", 1)
    stride = size if stride is None else _whole(stride, "pool stride", 1)
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
    gray = _as_gray_float(image)
    size = _whole(size, "pool size", 1)
    stride = size if stride is None else _whole(stride, "pool stride", 1)
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


# ---------------------------------------------------------------------------------------------
# Kernel presets

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


# ---------------------------------------------------------------------------------------------
# Convolution arithmetic


@dataclass(frozen=True)
class OutputSize:
    """The output-size formula (N − F + 2P)/S + 1, worked through.

    Attributes:
        n, f, p, s: input size, kernel (or pool) size, padding per side, stride.
        padded: N + 2P.
        span: N + 2P − F, the distance the kernel can travel.
        fits: True when the stride divides ``span`` exactly.
        size: the output size when it fits, else None.
        floor_size: ⌊span / S⌋ + 1, what Keras and PyTorch silently produce.
        leftover: span mod S: input rows/columns at the far edge that no window reaches.
        steps: the computation as short lines of text, for display.
    """

    n: int
    f: int
    p: int
    s: int
    padded: int
    span: int
    fits: bool
    size: int | None
    floor_size: int
    leftover: int
    steps: tuple[str, ...]

    @property
    def lost_input(self) -> int:
        """Rows/columns of the real input (not padding) that no window reaches.

        The ``leftover`` cells sit at the far edge of the *padded* input, so the first ``p``
        of them are padding: with the textbook ResNet stem (224, F = 7, P = 3, S = 2) the
        one leftover cell is padding and every image pixel is used.
        """
        return max(0, self.leftover - self.p)

    def explanation(self) -> str:
        """One or two sentences on what frameworks do with this layer, for a student."""
        if self.fits:
            return f"The stride fits: the output is {self.size} × {self.size}."
        rounded = (
            f"{self.span}/{self.s} = {self.span / self.s:.4g} is not a whole number, so "
            f"frameworks (Keras, PyTorch) round down: ⌊{self.span}/{self.s}⌋ + 1 = "
            f"{self.floor_size} positions per row and column."
        )
        if self.lost_input == 0:
            return (
                rounded + f" The {self.leftover} cell(s) that no window reaches lie in the "
                "padding, so every pixel of the input is used: nothing to worry about."
            )
        return (
            rounded + f" The last {self.lost_input} row(s)/column(s) of the input itself are "
            "never looked at."
        )

    def suggestions(self) -> list[str]:
        """Ways to make a stride that does not fit fit (empty when it already fits)."""
        if self.fits:
            return []
        tips = []
        extra = (self.s - self.leftover) % self.s
        if extra % 2 == 0:
            tips.append(f"padding P = {self.p + extra // 2} (instead of {self.p})")
        tips.append(f"input size N = {self.n - self.leftover} (crop {self.leftover})")
        tips.append(f"input size N = {self.n + extra} (add {extra})")
        strides = [d for d in range(1, min(self.span, 2 * self.s + 2) + 1) if self.span % d == 0]
        if strides:
            tips.append("stride S = " + " or ".join(str(d) for d in strides[-3:]))
        return tips


def explain_output_size(n: int, f: int, p: int = 0, s: int = 1) -> OutputSize:
    """Work out (N − F + 2P)/S + 1 step by step, without refusing strides that do not fit.

    Args:
        n: input height or width, ≥ 1.
        f: kernel (or pooling window) size, ≥ 1.
        p: zero padding added on each side, ≥ 0.
        s: stride, ≥ 1.

    Returns:
        The :class:`OutputSize`; check ``fits`` before using ``size``.

    Raises:
        InputError: a value is not a whole number in range, or the kernel is larger than the
            padded input.
    """
    n = _whole(n, "input size N", 1)
    f = _whole(f, "kernel size F", 1)
    p = _whole(p, "padding P", 0)
    s = _whole(s, "stride S", 1)
    padded = n + 2 * p
    span = padded - f
    if span < 0:
        raise InputError(
            f"The kernel (F = {f}) is larger than the padded input (N + 2P = {padded}): "
            "there is nowhere to place it. Use a smaller kernel or more padding."
        )
    fits = span % s == 0
    floor_size = span // s + 1
    steps = [
        f"Padded input: N + 2P = {n} + 2·{p} = {padded}",
        f"Room to slide: N + 2P − F = {padded} − {f} = {span}",
    ]
    if fits:
        steps.append(f"Steps of S: {span} / {s} = {span // s}")
        steps.append(f"Add the first position: {span // s} + 1 = {floor_size}")
    else:
        steps.append(
            f"Steps of S: {span} / {s} = {span / s:.4g} is not a whole number "
            f"(remainder {span % s})"
        )
        steps.append(
            f"Frameworks round down: ⌊{span / s:.4g}⌋ + 1 = {span // s} + 1 = {floor_size}"
        )
    return OutputSize(
        n=n,
        f=f,
        p=p,
        s=s,
        padded=padded,
        span=span,
        fits=fits,
        size=floor_size if fits else None,
        floor_size=floor_size,
        leftover=span % s,
        steps=tuple(steps),
    )


def output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output size of a convolution or pooling layer: (N − F + 2P)/S + 1.

    Args:
        n: input height or width, ≥ 1.
        f: kernel (or pooling window) size, ≥ 1.
        p: zero padding added on each side, ≥ 0.
        s: stride, ≥ 1.

    Returns:
        The output height or width, ≥ 1.

    Raises:
        InputError: invalid values, a kernel larger than the padded input, or a stride that
            does not fit evenly (where frameworks would silently drop the last rows).
    """
    result = explain_output_size(n, f, p, s)
    if not result.fits:
        raise InputError(
            f"The stride does not fit: (N − F + 2P)/S = ({n} − {f} + 2·{p})/{s} = "
            f"{result.span}/{s} is not a whole number. Try "
            + "; or ".join(result.suggestions())
            + "."
        )
    return int(result.floor_size)


def framework_output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output size as Keras and PyTorch compute it: ⌊(N − F + 2P)/S⌋ + 1.

    The floor-aware companion of :func:`output_size`: a stride that does not fit is not an
    error here (the textbook ResNet stem, 224 with F = 7, P = 3, S = 2, gives 112; see
    :meth:`OutputSize.explanation`).

    Raises:
        InputError: invalid values, or a kernel larger than the padded input.
    """
    return int(explain_output_size(n, f, p, s).floor_size)


def pool_output_size(n: int, pool_size: int, stride: int | None = None, padding: int = 0) -> int:
    """Output size of a pooling layer: the same formula as :func:`output_size`.

    The stride defaults to the window size, as in Keras ``MaxPooling2D``.

    Raises:
        InputError: as :func:`output_size`.
    """
    return output_size(n, pool_size, padding, pool_size if stride is None else stride)


def same_padding(f: int) -> int:
    """Padding per side that keeps the size at stride 1: (F − 1)/2, for odd F.

    Raises:
        InputError: F is even (no symmetric padding keeps the size).
    """
    f = _whole(f, "kernel size F", 1)
    if f % 2 == 0:
        raise InputError(
            f"An even kernel (F = {f}) cannot keep the size with the same padding on both "
            "sides; frameworks pad one side more. Use an odd kernel size."
        )
    return (f - 1) // 2


def window_starts(n: int, f: int, p: int = 0, s: int = 1) -> list[int]:
    """Start index (in the padded input) of every window position along one axis.

    Uses the floor rule, so for a stride that does not fit the last rows are never reached.
    """
    result = explain_output_size(n, f, p, s)
    return [i * result.s for i in range(result.floor_size)]


# ---------------------------------------------------------------------------------------------
# Validation helpers


def _whole(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"The {name} must be a whole number, got {value!r}.")
    if value < minimum:
        raise InputError(f"The {name} must be at least {minimum}, got {value}.")
    return int(value)


def _odd_size(value: object, name: str) -> int:
    size = _whole(value, name, 1)
    if size % 2 == 0 or size > MAX_KERNEL_SIZE:
        raise InputError(
            f"The {name} must be odd (so the kernel has a centre) and at most "
            f"{MAX_KERNEL_SIZE}, got {size}."
        )
    return size


def _finite(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be a number, got {value!r}.") from err
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number, got {value!r}.")
    return number


def _positive(value: object, name: str) -> float:
    number = _finite(value, name)
    if number <= 0:
        raise InputError(f"{name} must be greater than 0, got {value!r}.")
    return number


def _border(name: str) -> int:
    try:
        return BORDERS[name]
    except (KeyError, TypeError) as err:
        raise InputError(f"Unknown border {name!r}; choose one of {', '.join(BORDERS)}.") from err


def _check_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise InputError(f"Expected an (H, W) or (H, W, C) image, got shape {image.shape}.")
    if image.dtype == bool or not np.issubdtype(image.dtype, np.number):
        raise InputError(f"Expected numeric pixels, got {image.dtype}.")
    return image


def _as_gray_float(image: np.ndarray) -> np.ndarray:
    image = _check_image(image)
    if image.ndim == 3:
        if image.shape[2] != 1:
            raise InputError(f"Expected a gray (H, W) image, got shape {image.shape}.")
        image = image[:, :, 0]
    return np.ascontiguousarray(image, dtype=np.float32)


def _check_kernel(kernel: np.ndarray) -> np.ndarray:
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
