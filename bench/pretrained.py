"""Bundled EfficientNet-Lite0: load time (cold vs cached) and per-image latency on this machine.

Run: .venv/bin/python bench/pretrained.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPEATS = 20


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    _, t_import = timed(lambda: __import__("keras"))
    import numpy as np
    from skimage import data as skdata

    from cnnviz import pretrained
    from cnnviz.pretrained import efficientnet_lite
    from cnnviz.pretrained.torch_pickle import load_state_dict

    print(f"cpu cores: {os.cpu_count()}, keras backend import: {t_import:.2f} s")

    # Parts of a cold load, each measured on its own.
    state, t_read = timed(lambda: load_state_dict(efficientnet_lite.weights_file()))
    model, t_build = timed(efficientnet_lite.build)
    _, t_weights = timed(lambda: efficientnet_lite.load_weights(model, state))
    print(
        f"parts: read checkpoint (numpy) {t_read * 1000:.0f} ms, build Keras graph "
        f"{t_build * 1000:.0f} ms, copy weights {t_weights * 1000:.0f} ms"
    )

    # pretrained.load: cold (builds and warms up), then the cached second call.
    lite, t_cold = timed(lambda: pretrained.load(pretrained.BUNDLED))
    again, t_cached = timed(lambda: pretrained.load(pretrained.BUNDLED))
    assert again is lite
    print(
        f"load('{pretrained.BUNDLED}'): cold {t_cold:.2f} s, cached {t_cached * 1e6:.1f} µs "
        f"(same object; {t_cold / max(t_cached, 1e-9):,.0f}x faster)"
    )

    # Per-image latency: resize + preprocess + forward pass, one image at a time.
    cat = skdata.chelsea()
    latencies = [pretrained.predict(lite, cat).latency_ms for _ in range(REPEATS)]
    median = statistics.median(latencies)
    p90 = sorted(latencies)[int(0.9 * (REPEATS - 1))]
    print(f"per image, batch of 1 ({REPEATS} runs): median {median:.0f} ms, p90 {p90:.0f} ms")

    # Why predict() uses the compiled prediction function: the same pass, eager.
    x = lite.preprocess(cat)
    eager = statistics.median(timed(lambda: lite.model(x, training=False))[1] for _ in range(5))
    compiled = statistics.median(timed(lambda: lite.logits_of_input(x))[1] for _ in range(5))
    print(
        f"forward pass only: eager call {eager * 1000:.0f} ms, compiled {compiled * 1000:.0f} ms "
        f"({eager / compiled:.1f}x)"
    )

    # Batched: eight images in one forward pass.
    batch = np.stack([cat] * 8)
    lite.logits(batch)  # warm-up for this batch shape
    runs = [timed(lambda: lite.logits(batch))[1] for _ in range(5)]
    per_image = statistics.median(runs) / 8 * 1000
    print(f"per image, batch of 8: {per_image:.0f} ms ({median / per_image:.1f}x vs batch of 1)")

    top = pretrained.predict(lite, cat).top[0]
    print(f"sanity: chelsea → {top[1]} ({top[2]:.2f})")


if __name__ == "__main__":
    main()
