"""Learned first-layer kernels next to the Gabor kernels closest to them.

Early CNN layers learn kernels that look like the Filters page's Gabor kernels. This section
fits a Gabor kernel to each learned kernel of the model's first Conv2D layer
(:func:`cnnviz.filters.fit_gabor`) and shows the pairs with their correlation, beside the
correlation a random kernel of the same size reaches (the baseline a student should compare
with).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from cnnviz import activations, filters
from cnnviz.caching import digest as array_digest
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.ui.common import figures
from cnnviz.ui.common.text import plain

#: Kernels fitted at most (the first ones of the layer).
MAX_KERNELS = 32
#: Random kernels fitted for the noise baseline.
BASELINE_SAMPLES = 8


def gray_kernels(weights: np.ndarray, *, bgr: bool = False) -> np.ndarray:
    """One 2-D kernel per filter of a Conv2D weight tensor.

    Args:
        weights: (kh, kw, in_channels, K) Keras Conv2D kernel.
        bgr: the model's input channels are in BGR order (luminance needs RGB).

    Returns:
        (K, kh, kw) float64: luminance of RGB kernels, the channel mean otherwise (see
        :func:`cnnviz.filters.kernel_to_gray`).
    """
    kernels = np.asarray(weights, dtype=np.float64).transpose(3, 0, 1, 2)
    if bgr and kernels.shape[-1] == 3:
        kernels = kernels[..., ::-1]
    return np.stack([filters.kernel_to_gray(k) for k in kernels])


def fitted_gabor(params: dict) -> np.ndarray:
    """The (k, k) kernel ``amplitude · gabor_kernel(...) + offset`` a fit describes."""
    base = filters.gabor_kernel(
        params["ksize"], params["sigma"], params["theta"], params["lambd"], params["gamma"],
        params["psi"],
    )  # fmt: skip
    return params["amplitude"] * base.astype(np.float64) + params["offset"]


@st.cache_data(max_entries=8, show_spinner="Fitting a Gabor kernel to each learned kernel…")
def _fits(key: str, _kernels: np.ndarray) -> list[tuple[dict, float]]:
    """fit_gabor for each kernel, cached per model (``key``) and kernel bytes."""
    return [filters.fit_gabor(k) for k in _kernels]


@st.cache_data(max_entries=8, show_spinner=False)
def noise_baseline(ksize: int, samples: int = BASELINE_SAMPLES) -> float:
    """Median correlation of the best Gabor fit to random (Gaussian) kernels of this size."""
    rng = np.random.default_rng(ksize)
    return float(
        np.median([filters.fit_gabor(rng.normal(size=(ksize, ksize)))[1] for _ in range(samples)])
    )


def gabor_match_section(model: ImageModel, *, key: str = "gabor_match") -> None:
    """Show each first-layer kernel beside its best-fitting Gabor kernel, with the correlation.

    Args:
        model: the model to look into (an ``ImageModel`` from the store or a pretrained one).
        key: prefix for widget and cache keys, so two pages can show the section.
    """
    try:
        kernels = activations.first_conv_kernels(model)
    except InputError as err:
        st.info(str(err))
        return
    bgr = bool(getattr(getattr(model, "preprocessing", None), "bgr", False))
    grays = gray_kernels(kernels.weights, bgr=bgr)
    k, kh, kw = grays.shape
    if kh != kw or kh % 2 == 0 or kh > 31:
        st.info(f"The first layer's kernels are {kh}×{kw}: a Gabor fit needs square, odd ones.")
        return
    shown = grays[:MAX_KERNELS]
    digest = f"{key}:{getattr(model, 'name', '')}:{array_digest(shown)}"
    fits = _fits(digest, shown)
    baseline = noise_baseline(kh)
    maps, titles = [], []
    for i, (kernel, (params, corr)) in enumerate(zip(shown, fits, strict=True)):
        fitted = fitted_gabor(params)
        top = max(float(np.abs(kernel).max()), float(np.abs(fitted).max()), 1e-12)
        maps += [kernel / top, fitted / top]  # one colour scale per pair
        titles += [f"#{i} learned", f"Gabor r={corr:.2f}"]
    st.plotly_chart(
        figures.grid_figure(
            maps, titles, columns=8, diverging=True, shared_range=(-1.0, 1.0), cell_height=110
        ),
        key=f"{key}_fig",
    )
    corrs = np.array([c for _, c in fits])
    good = int((corrs >= 0.9).sum())
    st.caption(
        f"{plain(kernels.layer_name)}: {len(shown)} of {k} kernels ({kh}×{kw}), each beside the "
        f"Gabor kernel closest to it (least squares over θ, λ, σ, γ, ψ; RGB kernels through their "
        f"luminance). {good} of {len(shown)} correlate at 0.9 or more; a random {kh}×{kw} "
        f"kernel reaches about {baseline:.2f}, so only correlations well above that mean the "
        "network learned a stripe or edge detector like the lecture's filter bank."
        + (" With 3×3 kernels almost anything fits: compare with the baseline." if kh == 3 else "")
    )
    with st.expander("The fitted parameters"):
        rows = [
            {
                "kernel": f"#{i}",
                "correlation": round(corr, 3),
                "θ (°)": round(math.degrees(p["theta"]), 1),
                "λ (px)": round(p["lambd"], 2),
                "σ (px)": round(p["sigma"], 2),
                "γ": round(p["gamma"], 2),
                "ψ (°)": round(math.degrees(p["psi"]), 1),
            }
            for i, (p, corr) in enumerate(fits)
        ]
        st.dataframe(rows, hide_index=True, key=f"{key}_table")
