"""What the reconstructions are worth: the model against doing nothing and a plain blur."""

from __future__ import annotations

import numpy as np

from cnnviz import autoencoder


def truth_sentence(result: autoencoder.Denoised, level: float) -> str:
    """One sentence comparing the model with returning the noisy input unchanged."""
    model = float(np.mean(result.mse_model))
    base = float(np.mean(result.mse_noisy))
    n = len(result.mse_model)
    better = int(np.sum(result.mse_model < result.mse_noisy))
    if level == 0:
        return (
            f"With no noise the baseline (the input itself) is perfect; the reconstructions "
            f"differ from the clean images by a mean squared error of {model:.4f} on these "
            f"{n} test images."
        )
    blur = ""
    if result.mse_blur is not None and len(result.mse_blur):
        blurred = float(np.mean(result.mse_blur))
        verdict = "better than" if model < blurred else "not better than"
        blur = (
            f" That is {verdict} a plain {result.blur_size}×{result.blur_size} Gaussian blur "
            f"of the noisy image (MSE {blurred:.4f}), the best of three blurs tried on these "
            "very images."
        )
    if model < base:
        return (
            f"At noise {level:g}, the reconstructions are **{base / model:.1f}× closer** to "
            f"the clean images than the noisy inputs themselves (mean squared error "
            f"{model:.4f} against {base:.4f}; better on {better} of {n} test images)." + blur
        )
    return (
        f"At noise {level:g}, the network does **no better than doing nothing**: mean "
        f"squared error {model:.4f} against {base:.4f} for the noisy inputs themselves "
        f"(better on {better} of {n} test images). Train longer, or at this noise level." + blur
    )


TRUST = (
    "How far to trust it: measured on test images the network never trained on, with one "
    "draw of noise (press *New noise* to see it move); mean squared error weighs every pixel "
    "alike, so a blurry digit can score well while a thin stroke is lost: look at the rows."
)
