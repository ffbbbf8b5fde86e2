"""Draw & attack benchmarks.

1. Seconds for the FGSM accuracy-against-ε curve (10 values of ε) over the ``digits``
   test set: one gradient pass, then one batched forward pass per ε.
2. Milliseconds from the end of a canvas stroke to the prediction on the server: framing
   the 280×280 RGBA canvas (:func:`cnnviz.images.drawing.frame_drawing`) plus
   ``predict_proba``, and Grad-CAM of the drawing on top.

A small MNIST-CNN is trained on digits first (a few epochs). Usage:
``python bench/playground.py [--repeats 20]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np

from cnnviz import adversarial, attribution, datasets, training
from cnnviz.images import drawing
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit
from cnnviz.store import last_spatial_layer


def trained_digits_model() -> tuple[ImageModel, datasets.Dataset]:
    ds = datasets.load("digits")
    cfg = training.TrainingConfig(architecture="mnist_cnn", epochs=6, learning_rate=2e-3)
    job = training.TrainingJob(ds, cfg, snapshots=False).start()
    job.wait()
    model = ImageModel(
        "digits", job.model, ds.input_shape[:2], unit(grayscale=True), ds.class_names,
        last_conv_layer=last_spatial_layer(job.model),
    )  # fmt: skip
    print(f"model: MNIST CNN on digits, test accuracy {job.result.test_accuracy:.1%}")
    return model, ds


def epsilon_curve(model: ImageModel, ds: datasets.Dataset, repeats: int) -> None:
    x, y = datasets.to_rgb(ds.x_test), ds.y_test
    eps = np.linspace(0.0, 0.3, 10)
    adversarial.accuracy_curve(model, x[:32], y[:32], eps)  # warm-up: tracing
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        curve = adversarial.accuracy_curve(model, x, y, eps)
        times.append(time.perf_counter() - t0)
    print(
        f"\n## Accuracy against ε: {len(y)} digits test images, 10 values of ε\n"
        f"  median {statistics.median(times):.2f} s, best {min(times):.2f} s over {repeats} runs"
    )
    print("  " + ", ".join(f"ε={e:.3f}: {a:.1%}" for e, a in zip(curve.epsilons, curve.accuracy,
                                                                 strict=True)))  # fmt: skip


def stroke_to_prediction(model: ImageModel, repeats: int) -> None:
    rng = np.random.default_rng(0)
    frames, predict, cam = [], [], []
    for _ in range(repeats + 1):
        rgba = np.zeros((280, 280, 4), np.uint8)
        rgba[..., 3] = 255
        points = rng.integers(40, 240, (4, 2))
        for p, q in itertools.pairwise(points):
            cv2.line(rgba, tuple(map(int, p)), tuple(map(int, q)), (255, 255, 255, 255), 20)
        t0 = time.perf_counter()
        framed = drawing.frame_drawing(rgba, "digits", 28)
        t1 = time.perf_counter()
        model.predict_proba(framed)
        t2 = time.perf_counter()
        attribution.grad_cam(model, framed)
        t3 = time.perf_counter()
        frames.append(t1 - t0)
        predict.append(t2 - t1)
        cam.append(t3 - t2)
    ms = lambda v: 1000 * statistics.median(v[1:])  # noqa: E731  (first call traces)
    print(
        f"\n## End of stroke to prediction (server side, {repeats} strokes)\n"
        f"  framing {ms(frames):.1f} ms + prediction {ms(predict):.1f} ms = "
        f"{ms(frames) + ms(predict):.1f} ms; Grad-CAM of the drawing {ms(cam):.1f} ms more"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    print(f"cpu cores: {training.cpu_cores()}, load average: {os.getloadavg()}")
    model, ds = trained_digits_model()
    epsilon_curve(model, ds, max(3, args.repeats // 5))
    stroke_to_prediction(model, args.repeats)


if __name__ == "__main__":
    main()
