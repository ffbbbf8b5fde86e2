"""What the optimisation maximises: here, the mean activation of one filter per image."""

from __future__ import annotations

from collections.abc import Callable

import keras

from cnnviz.models.preprocessing import Preprocessing


def channel_mean(
    sub: keras.Model,
    *,
    feed_size: tuple[int, int],
    flexible: bool,
    preprocessing: Preprocessing,
    spatial: bool,
) -> Callable:
    """Per-image objective: mean activation of image i's own filter (mask row i).

    Args:
        sub: the model cut at the layer (see :func:`cnnviz.models.layer_model`).
        feed_size: (h, w) a fixed-size ``sub`` receives (images are resized to it).
        flexible: ``sub`` takes any image size, so images are fed as they are.
        preprocessing: pixels 0..255 → model input, applied differentiably.
        spatial: the layer's output is (N, h, w, C) (averaged over positions).

    Returns:
        ``objective(images (N, s, s, 3) in [0, 1], mask (N, C) one-hot) -> (N,)``.
    """
    ops = keras.ops
    h, w = feed_size

    def objective(images01, mask):
        x = images01
        if flexible:
            pass  # fed at its own size
        elif tuple(x.shape[1:3]) != (h, w):
            x = ops.image.resize(
                x, (h, w), interpolation="bilinear", antialias=x.shape[1] > min(h, w)
            )
        x = preprocessing.apply(x * 255.0, ops=ops)
        act = sub(x, training=False)
        if spatial:
            act = ops.mean(act, axis=(1, 2))
        return ops.sum(act * mask, axis=-1)  # (N,)

    return objective
