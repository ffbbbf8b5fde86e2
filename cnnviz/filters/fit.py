"""Fitting a Gabor kernel to a learned one: which hand-made kernel did the network find?"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters.gabor import gabor_values

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
    basis = gabor_values(ksize, *grid.T).reshape(len(grid), -1)
    residual, _ = _affine_fit(basis, target)
    order = np.argsort(np.einsum("gn,gn->g", residual, residual))[: max(1, starts)]

    lower = np.array([0.3, -4 * np.pi, 1.5, 0.1, -4 * np.pi])
    upper = np.array([2.0 * ksize, 4 * np.pi, 8.0 * ksize, 4.0, 4 * np.pi])

    def residuals(p: np.ndarray) -> np.ndarray:
        return _affine_fit(gabor_values(ksize, *p)[None].reshape(1, -1), target)[0][0]

    best, best_cost = None, np.inf
    for x0 in grid[order]:
        fit = least_squares(residuals, np.clip(x0, lower + 1e-9, upper - 1e-9),
                            bounds=(lower, upper), x_scale="jac", max_nfev=200)  # fmt: skip
        if fit.cost < best_cost:
            best, best_cost = fit.x, fit.cost
    sigma, theta, lambd, gamma, psi = (float(v) for v in best)
    gabor = gabor_values(ksize, sigma, theta, lambd, gamma, psi).ravel()
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
    fitted = amplitude * gabor_values(ksize, sigma, theta, lambd, gamma, psi).ravel() + offset
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
