"""Filter visualization: a 16-filter gallery optimised as one batch versus one filter at a time.

Run: ``.venv/bin/python bench/featureviz.py [steps] [size]`` (defaults: 64 steps, 128 px;
several minutes on 2 CPU cores).

Model: the bundled pretrained EfficientNet-Lite0, layer ``block4a_expand_activation``,
filters 0..15, the Fourier (quality) recipe. "Ours" is one ``visualize_filters`` call with
all 16 filters in one batch; the loop calls it 16 times with one filter each, the same
steps. Both use the same compiled step (warmed up first, for batch sizes 16 and 1), so the
difference is batching alone. The two galleries are compared as a check (they should be
the same pictures: each filter has its own random stream).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cnnviz import featureviz, pretrained  # noqa: E402

LAYER = "block4a_expand_activation"
FILTERS = list(range(16))


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    model = pretrained.load(pretrained.BUNDLED)
    print(f"model {model.name}, layer {LAYER}, {len(FILTERS)} filters, {steps} steps, {size} px")

    start = time.perf_counter()
    featureviz.visualize_filters(model, LAYER, FILTERS, steps=1, size=size)
    featureviz.visualize_filters(model, LAYER, [0], steps=1, size=size)
    print(f"warm-up (building and compiling the steps): {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    gallery = featureviz.visualize_filters(model, LAYER, FILTERS, steps=steps, size=size)
    batched = time.perf_counter() - start

    start = time.perf_counter()
    loop = np.concatenate(
        [featureviz.visualize_filters(model, LAYER, [f], steps=steps, size=size) for f in FILTERS]
    )
    looped = time.perf_counter() - start

    diff = np.abs(gallery.astype(int) - loop.astype(int))
    print(f"one batch of 16: {batched:.1f} s ({batched / steps * 1000:.0f} ms per step)")
    print(f"per-filter loop: {looped:.1f} s ({looped / steps / 16 * 1000:.0f} ms per filter-step)")
    print(f"loop / batch = {looped / batched:.2f}x")
    print(
        f"same pictures: mean |batch - loop| = {diff.mean():.2f} grey levels "
        f"(max {diff.max()}; float rounding differences grow over the steps)"
    )
    print(
        f"extrapolated to the default {featureviz.DEFAULT_STEPS} steps: "
        f"{batched / steps * featureviz.DEFAULT_STEPS:.0f} s for the batch"
    )


if __name__ == "__main__":
    main()
