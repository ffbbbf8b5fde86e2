"""Shared fixtures of the filter tests."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def gray():
    """A 48×64 uint8 image with structure (gradient + disc + noise)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:48, 0:64]
    img = 2.0 * xx + 60.0 * ((yy - 24) ** 2 + (xx - 30) ** 2 < 150) + rng.normal(0, 8, (48, 64))
    return np.clip(img, 0, 255).astype(np.uint8)
