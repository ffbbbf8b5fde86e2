"""Filter visualization: ours against tf-keras-vis's ``ActivationMaximization``, side by side.

Run: ``.venv/bin/python bench/featureviz.py [steps] [size] [filters]`` (defaults: 128 steps,
224 px, 8 filters; a few minutes on 2 CPU cores). ``--batching`` instead compares one
batch of 16 filters against a loop over them (the batching measurement).

Model: the bundled pretrained EfficientNet-Lite0 at the Filter visualization page's default
layer (:func:`cnnviz.featureviz.default_layer`), filters 0..N-1, 224 px.

- Ours: one :func:`cnnviz.featureviz.visualize_filters` call (the page's Fourier recipe).
- tf-keras-vis 0.8.7 (installed here if missing; bench-only): ``ActivationMaximization`` on
  the same network cut at the same layer, with the model's preprocessing inside, its
  default recipe (jitter 4, rotation 1 degree, total-variation and norm regularisers,
  RMSprop), a uniform random seed of N images in 0..255 and ``CategoricalScore(filters)``,
  so image i maximises filter i, the same steps.

Both are warmed up first (tracing), then timed once each. Each image's activation is then
measured the same way for both: the mean over positions of its filter's output (before the
layer's activation function, what both maximise) for the final 8-bit picture, as a student
sees it. The ratio of seconds and the two mean activations are printed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from bench.reference_tools import tf_keras_vis  # noqa: E402
from cnnviz import featureviz, models, pretrained  # noqa: E402


def mean_activation(model, layer: str, pictures: np.ndarray, filters: list[int]) -> np.ndarray:
    """(N,) mean over positions of filter ``filters[i]`` for picture i ((N, H, W, 3) uint8)."""
    sub, _ = models.layer_model(model, layer, flexible=True, pre_activation=True)
    x = model.preprocessing.apply(pictures.astype(np.float32))
    act = keras.ops.convert_to_numpy(sub(x, training=False))  # (N, h, w, C)
    return act.mean(axis=(1, 2))[np.arange(len(filters)), filters]


def versus_tf_keras_vis(steps: int, size: int, count: int) -> None:
    am_module = tf_keras_vis("activation_maximization")
    from tf_keras_vis.utils.scores import CategoricalScore

    model = pretrained.load(pretrained.BUNDLED)
    layer = featureviz.default_layer(model)
    filters = list(range(count))
    print(f"model {model.name}, layer {layer}, {count} filters, {steps} steps, {size} px")

    sub, _ = models.layer_model(model, layer, flexible=False, pre_activation=True)
    inp = keras.Input((size, size, 3))
    net = keras.Model(inp, sub(model.preprocessing.apply(inp, ops=keras.ops)))
    am = am_module.ActivationMaximization(net, clone=False)
    seed = np.random.default_rng(0).uniform(0, 255, (count, size, size, 3)).astype(np.float32)

    def theirs(n_steps: int) -> np.ndarray:
        out = am(CategoricalScore(filters), steps=n_steps, seed_input=seed)
        return np.clip(np.rint(np.asarray(out)), 0, 255).astype(np.uint8)

    def ours(n_steps: int) -> np.ndarray:
        return featureviz.visualize_filters(model, layer, filters, steps=n_steps, size=size)

    start = time.perf_counter()
    ours(1)
    theirs(1)
    print(f"warm-up (tracing both): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    ours_pictures = ours(steps)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs_pictures = theirs(steps)
    theirs_s = time.perf_counter() - start

    ours_act = mean_activation(model, layer, ours_pictures, filters)
    theirs_act = mean_activation(model, layer, theirs_pictures, filters)
    grey = mean_activation(model, layer, np.full_like(ours_pictures, 128), filters)
    print(f"ours        {ours_s:6.1f} s  mean activation {ours_act.mean():5.2f}")
    print(f"tf-keras-vis {theirs_s:5.1f} s  mean activation {theirs_act.mean():5.2f}")
    print(f"(a grey image: mean activation {grey.mean():.2f})")
    print(f"ours / tf-keras-vis = {ours_s / theirs_s:.2f}  (target <= 0.25)")
    better = int((ours_act >= theirs_act).sum())
    print(f"filters where ours is at least as strong: {better} of {count}")
    print(f"pixel std: ours {ours_pictures.std():.1f}, tf-keras-vis {theirs_pictures.std():.1f}")


def batching(steps: int, size: int) -> None:
    """One batch of 16 filters against 16 calls of one filter, the same compiled steps."""
    model = pretrained.load(pretrained.BUNDLED)
    layer = "block4a_expand_activation"
    filters = list(range(16))
    print(f"model {model.name}, layer {layer}, 16 filters, {steps} steps, {size} px")
    featureviz.visualize_filters(model, layer, filters, steps=1, size=size)
    featureviz.visualize_filters(model, layer, [0], steps=1, size=size)
    start = time.perf_counter()
    gallery = featureviz.visualize_filters(model, layer, filters, steps=steps, size=size)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    loop = np.concatenate(
        [featureviz.visualize_filters(model, layer, [f], steps=steps, size=size) for f in filters]
    )
    looped = time.perf_counter() - start
    diff = np.abs(gallery.astype(int) - loop.astype(int))
    print(f"one batch of 16: {batched:.1f} s; per-filter loop: {looped:.1f} s")
    print(f"loop / batch = {looped / batched:.2f}x")
    print(f"same pictures: mean |batch - loop| = {diff.mean():.2f} grey levels (max {diff.max()})")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(args[0]) if args else 128
    size = int(args[1]) if len(args) > 1 else 224
    if "--batching" in sys.argv:
        batching(steps, size)
    else:
        versus_tf_keras_vis(steps, size, int(args[2]) if len(args) > 2 else 8)


if __name__ == "__main__":
    main()
