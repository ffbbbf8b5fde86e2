"""Learned kernels against Gabor kernels: the section on the Activations page."""

import json

import numpy as np

from cnnviz import filters
from cnnviz.ui.activations.gabor_match import fitted_gabor, gray_kernels
from tests.pages import inspect_helpers
from tests.pages.inspect_helpers import run_page, texts

stored_model = inspect_helpers.stored_model  # the shared fixture, used by name below

PAGE = "pages/activations.py"


def test_gabor_match_shows_each_kernel_beside_its_fit(stored_model):
    at = run_page(PAGE)
    assert not at.exception
    assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith("act_gabor_fig")]
    at.toggle(key="act_gabor_match").set_value(True).run()
    assert not at.exception
    assert not at.error
    (chart,) = [c for c in at.get("plotly_chart") if "act_gabor_fig" in c.proto.id]
    spec = json.loads(chart.proto.spec)
    assert len(spec["data"]) == 2 * 8  # conv1 has 8 kernels: learned and fitted, side by side
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[0] == "#0 learned" and titles[1].startswith("Gabor r=")
    caption = next(t for t in texts(at.caption) if "closest to it" in t)
    assert "conv1: 8 of 8 kernels (3×3)" in caption
    assert "random 3×3 kernel reaches about" in caption


def test_fitted_gabor_reproduces_a_gabor_kernel():
    k = filters.gabor_kernel(7, 2.0, 0.6, 5.0, 0.5, 0.3)
    params, corr = filters.fit_gabor(2.0 * k - 0.1)
    assert corr > 0.99
    np.testing.assert_allclose(fitted_gabor(params), 2.0 * k - 0.1, atol=1e-3)


def test_gray_kernels_use_rgb_luminance_and_respect_bgr():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(5, 5, 3, 4))
    gray = gray_kernels(weights)
    assert gray.shape == (4, 5, 5)
    np.testing.assert_allclose(gray[1], weights[..., 1] @ np.array(filters.LUMA))
    flipped = gray_kernels(weights[:, :, ::-1, :], bgr=True)
    np.testing.assert_allclose(flipped, gray)
