"""Parameterisations: the Fourier basis is the inverse real FFT."""

import keras
import numpy as np
import pytest

from cnnviz import featureviz

L = keras.layers


@pytest.mark.parametrize("h, w", [(10, 7), (8, 8), (9, 12)])
def test_fourier_basis_is_the_inverse_real_fft(h, w):
    basis = featureviz.FourierBasis.make(h, w)
    rng = np.random.default_rng(0)
    spectrum = rng.normal(size=(2, 2, 3, h, w // 2 + 1)).astype(np.float32)
    pixels = np.fft.irfft2(
        spectrum[:, 0] * basis.scale + 1j * spectrum[:, 1] * basis.scale, s=(h, w)
    )  # (N, 3, h, w)
    mixed = np.transpose(pixels, (0, 2, 3, 1)) / 4.0 @ featureviz.COLOR_MIX.T
    ref = 1 / (1 + np.exp(-mixed))
    image = keras.ops.convert_to_numpy(basis.image(spectrum))
    assert image.shape == (2, h, w, 3)
    np.testing.assert_allclose(image, ref, atol=1e-5)
