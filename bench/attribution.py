"""Grad-CAM: seconds per image, ours versus tf-keras-vis's ``Gradcam``, same model, layer, image.

Run: ``.venv/bin/python bench/attribution.py [repeats]`` (a few minutes on 2 CPU cores).

Model: the bundled pretrained EfficientNet-Lite0 (``cnnviz.pretrained``) at its input size
(224 x 224), layer ``last_conv_layer`` (``head_activation``, 7 x 7 x 1280), the sample cat
photo, its top-1 class. tf-keras-vis is installed into the running interpreter's
environment here if missing (a bench-only tool, not a project requirement). Both are warmed
up once, then timed over the same number of repeats, one image per call, interleaved;
medians are printed. The two heatmaps are compared too (Pearson correlation), to show both
compute the same thing.

Then the Grad-CAM page's trust section (localisation table, sanity cascade) and the Filter
visualization page's real examples (the top 9 patches of one layer over the test set, and
over the sample photos for the bundled model), in seconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.reference_tools import tf_keras_vis  # noqa: E402
from cnnviz import attribution, pretrained  # noqa: E402
from cnnviz.attribution.inputs import Batch  # noqa: E402
from cnnviz.images import samples  # noqa: E402


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    tkv_gradcam = tf_keras_vis("gradcam")
    from tf_keras_vis.utils.scores import CategoricalScore

    model = pretrained.load(pretrained.BUNDLED)
    layer = model.last_conv_layer
    image = model.resize(samples()["cat"])  # (1, 224, 224, 3) uint8
    x = model.preprocess(image)
    top = model.top_k(image, 1)[0][0]
    print(f"model {model.name}, input {model.input_size}, layer {layer}, class {top[1]!r}")

    def ours():
        return attribution.grad_cam(model, image, class_index=top[0], layer_name=layer)

    # The model outputs logits already, so no ReplaceToLinear; clone=False as nothing changes.
    theirs_cam = tkv_gradcam.Gradcam(model.model, model_modifier=None, clone=False)

    def theirs():
        return theirs_cam(
            CategoricalScore([top[0]]),
            x,
            penultimate_layer=layer,
            seek_penultimate_conv_layer=False,
        )

    start = time.perf_counter()
    ours_map = ours()[0]
    first_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs_map = np.asarray(theirs())[0]
    first_theirs = time.perf_counter() - start

    t_ours, t_theirs = [], []
    for _ in range(repeats):  # interleaved, so a busy machine hurts both alike
        t_ours.append(median_seconds(ours, 1))
        t_theirs.append(median_seconds(theirs, 1))
    ours_s = statistics.median(t_ours)
    theirs_s = statistics.median(t_theirs)

    batch = model.resize([samples()[k] for k in ("cat", "coffee", "astronaut", "rocket")])
    attribution.grad_cam(model, batch)  # warm-up for batch size 4
    batch_s = median_seconds(lambda: attribution.grad_cam(model, batch), max(3, repeats // 3))

    corr = float(np.corrcoef(ours_map.ravel(), theirs_map.ravel())[0, 1])
    # Before upsampling the two must agree exactly; after it they differ only by the resize
    # convention (ours: half-pixel centres like OpenCV/Keras/pytorch-grad-cam; tf-keras-vis:
    # scipy.ndimage.zoom, corner-aligned).
    theirs_coarse = np.asarray(
        theirs_cam(
            CategoricalScore([top[0]]),
            x,
            penultimate_layer=layer,
            seek_penultimate_conv_layer=False,
            expand_cam=False,
            normalize_cam=False,
        )
    )[0]
    batch1 = Batch.make(model, image)
    ours_coarse, _ = attribution.METHODS["gradcam"].raw_maps(
        batch1, np.array([top[0]], np.int32), layer
    )
    coarse_diff = float(np.abs(np.maximum(ours_coarse[0], 0) - theirs_coarse).max())
    print(
        f"first call (tracing/compiling): ours {first_ours:.2f} s, "
        f"tf-keras-vis {first_theirs:.2f} s"
    )
    print(
        f"seconds per image, median of {repeats}: ours {ours_s:.3f} s, "
        f"tf-keras-vis {theirs_s:.3f} s"
    )
    print(f"ours / tf-keras-vis = {ours_s / theirs_s:.2f}  (target <= 0.50)")
    print(f"ours in a batch of 4: {batch_s / 4:.3f} s per image")
    print(
        f"coarse {theirs_coarse.shape} maps before upsampling: max |ours - theirs| = "
        f"{coarse_diff:.2e} (values up to {float(theirs_coarse.max()):.3f})"
    )
    print(f"upsampled heatmaps (Pearson r, ours vs tf-keras-vis): {corr:.4f}")
    trust()


def trust() -> None:
    """Seconds for the Grad-CAM page's trust section: localisation table and sanity cascade."""
    from cnnviz import architectures, datasets
    from cnnviz.models import ImageModel
    from cnnviz.models.preprocessing import unit

    fast = bool(os.environ.get("CNNVIZ_FAST"))
    n = 60 if fast else 300
    ds = datasets.load("find_shapes", n_train=600 if fast else 2400, n_test=n)
    net = architectures.build("cam_cnn", ds.input_shape, ds.num_classes)
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(ds.x_train / np.float32(255), ds.y_train, epochs=1 if fast else 3, verbose=0)
    small = ImageModel("cam", net, ds.input_shape[:2], unit(), ds.class_names)
    images = datasets.to_rgb(ds.x_test)
    print(f"localisation table on {n} find_shapes test images (model trained briefly):")
    for method in attribution.METHODS:
        start = time.perf_counter()
        scores = attribution.localisation(small, images, ds.boxes_test, [method], labels=ds.y_test)[
            method
        ]
        seconds = time.perf_counter() - start
        print(
            f"  {method:11s} {seconds:6.1f} s  pointing {scores['pointing']:.2f} "
            f"(centre {scores['centre_pointing']:.2f}, shuffled {scores['shuffled_pointing']:.2f})"
        )
    start = time.perf_counter()
    attribution.localisation(small, images, ds.boxes_test, ["gradcam"], labels=ds.y_test)
    print(f"  cached repeat: {time.perf_counter() - start:.4f} s")
    from cnnviz import featureviz

    layer = featureviz.default_layer(small)
    start = time.perf_counter()
    every = range(featureviz.filter_count(small, layer))
    ex = featureviz.top_exemplars(small, layer, every, images)
    print(
        f"exemplars: top 9 of {n} test images for all {ex.scores.shape[0]} filters of {layer}: "
        f"{time.perf_counter() - start:.1f} s"
    )
    bundled = pretrained.load(pretrained.BUNDLED)
    cat = samples()["cat"]
    photos = list(samples().values())
    layer = featureviz.default_layer(bundled)
    start = time.perf_counter()
    featureviz.top_exemplars(bundled, layer, range(8), photos)
    print(
        f"exemplars: bundled model, {layer}, 8 filters over the {len(photos)} sample photos: "
        f"{time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    steps = attribution.cascade(bundled, cat, "gradcam", max_steps=8)
    print(
        f"sanity cascade, bundled model, 8 layers: {time.perf_counter() - start:.1f} s; "
        f"rank correlation after each: {[round(float(s.spearman[0]), 2) for s in steps[1:]]}"
    )


if __name__ == "__main__":
    main()
