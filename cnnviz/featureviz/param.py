"""How an image is drawn from the numbers being optimised (Lucent's ``optvis/param``).

* :class:`FourierParam`: a spectrum scaled by 1/frequency with decorrelated colour
  channels, squashed to [0, 1] by a sigmoid (Olah et al., Distill 2017). High-frequency
  noise is hard to express in this basis; the images are periodic.
* :class:`PixelParam`: the pixels themselves, kept in [0, 1] after every step.

A parameterisation draws each image's start from that image's own random stream
(``init``), renders a batch of states to (N, size, size, 3) images in [0, 1] with
``keras.ops`` (``renderer``, differentiable), and keeps states valid after an update
(``project``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

# Square root of the colour covariance of ImageNet pixels (published with Lucid): multiplying
# decorrelated channels by it gives natural colour statistics.
COLOR_CORRELATION_SQRT = np.asarray(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float32
)
COLOR_MIX = COLOR_CORRELATION_SQRT / np.max(np.linalg.norm(COLOR_CORRELATION_SQRT, axis=0))

# Initial spread of the spectrum coefficients: a start of ~6 grey levels of smooth noise
# rather than Lucid's near-uniform grey (0.01, under 1 level), so that the ReLUs below the
# target layer are not all silent on the first step (their gradient would be exactly zero).
SPECTRUM_SD = 0.1


@dataclass(frozen=True)
class FourierBasis:
    """The 1/frequency weights of a real 2-D spectrum, and its inverse transform.

    ``image = irfft2(spectrum * scale)`` for a spectrum of shape (h, w // 2 + 1), computed
    with ``keras.ops`` FFTs (an inverse FFT along the height, written as a conjugated
    forward FFT, then a real inverse FFT along the width), so it runs on every backend
    without complex dtypes, in O(h w log(h w)) rather than the O(h w (h + w)) of explicit
    DFT matrices (at 224 px the matrices cost a third of each step).
    """

    h: int
    w: int
    scale: np.ndarray  # (h, kw) 1/frequency weights

    @classmethod
    def make(cls, h: int, w: int) -> FourierBasis:
        """The basis of an (h, w) image."""
        fy = np.fft.fftfreq(h)[:, None]
        fx = np.fft.rfftfreq(w)[None, :]
        freq = np.sqrt(fx**2 + fy**2)
        # 1/f spectrum (natural images), the DC term capped at the lowest non-zero frequency;
        # sqrt(h*w) undoes the 1/(h*w) of the inverse transform so values stay O(1).
        scale = 1.0 / np.maximum(freq, 1.0 / max(h, w)) * np.sqrt(h * w)
        return cls(h=h, w=w, scale=scale.astype(np.float32))

    def image(self, spectrum):
        """Spectrum (N, 2, 3, h, kw) (real, imaginary) → image (N, h, w, 3) in [0, 1]."""
        ops = keras.ops
        real = ops.transpose(spectrum[:, 0] * self.scale, (0, 1, 3, 2))  # (N, 3, kw, h)
        imag = ops.transpose(spectrum[:, 1] * self.scale, (0, 1, 3, 2))
        # Inverse DFT along the height: ifft(z) = conj(fft(conj(z))) / h.
        f_re, f_im = ops.fft((real, -imag))
        t_re = ops.transpose(f_re, (0, 1, 3, 2)) / self.h  # (N, 3, h, kw)
        t_im = ops.transpose(-f_im, (0, 1, 3, 2)) / self.h
        # Real inverse DFT along the width (the imaginary parts of DC and Nyquist drop out).
        pixels = ops.irfft((t_re, t_im), fft_length=self.w)  # (N, 3, h, w)
        pixels = ops.transpose(pixels, (0, 2, 3, 1)) / 4.0
        # Decorrelated channels → correlated RGB, then squash to [0, 1].
        return ops.sigmoid(ops.matmul(pixels, COLOR_MIX.T))


@dataclass(frozen=True)
class FourierParam:
    """Images as a 1/f-scaled spectrum with decorrelated colours (periodic images).

    Attributes:
        spread: standard deviation of the starting spectrum coefficients.
    """

    spread: float = SPECTRUM_SD
    periodic: bool = True

    def init(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """One image's starting spectrum: (2, 3, size, size // 2 + 1) (real, imaginary)."""
        return rng.normal(0.0, self.spread, (2, 3, size, size // 2 + 1))

    def renderer(self, size: int) -> Callable:
        """``states (N, 2, 3, size, kw) -> images (N, size, size, 3)`` in [0, 1]."""
        return FourierBasis.make(size, size).image

    def project(self, state):
        """Every spectrum is valid: unchanged."""
        return state


@dataclass(frozen=True)
class PixelParam:
    """Images as their own pixels, starting from grey plus uniform noise.

    Attributes:
        noise: half-width of the uniform noise around grey (0.5) at the start.
    """

    noise: float = 0.1
    periodic: bool = False

    def init(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """One image's starting pixels: (size, size, 3) around 0.5."""
        return 0.5 + rng.uniform(-self.noise, self.noise, (size, size, 3))

    def renderer(self, size: int) -> Callable:
        """The state is the image."""
        return lambda state: state

    def project(self, state):
        """Clip the pixels back to [0, 1]."""
        return keras.ops.clip(state, 0.0, 1.0)
