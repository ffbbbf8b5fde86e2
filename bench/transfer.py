"""Transfer-learning benchmarks, with the bundled EfficientNet-Lite0 base on ``faces``.

1. Feature extraction: images per second of the frozen base over the faces training images
   (resized to 224 × 224 per batch), first run (computed and written to the cache) against
   the second run (read from the cache), side by side in this process.
2. Seconds per epoch of each mode (features, frozen, finetune) on the same few-shot set,
   after the first epoch (graph tracing) where there is more than one.
3. Few-shot test accuracy: 16 training images per class (32 in all; different random picks
   per seed), the full 40-image test set. Each transfer mode with
   ``transfer.recommended_config`` against a scratch CNN with the Train page's recommended
   setup for faces (``training.recommended_config("faces")``). Also the trivial baseline
   (the majority class of the test set).

Usage: ``python bench/transfer.py [--seeds 0 1 2]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CNNVIZ_HOME", tempfile.mkdtemp(prefix="cnnviz-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from cnnviz import datasets, pretrained, training, transfer
from cnnviz.training import EpochEnd, TrainingJob
from cnnviz.transfer import TransferConfig


def machine() -> str:
    """This machine in one line: host, CPU model, cores and the training device."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {cpu} · {os.cpu_count()} cores · {training.detect_device()}"


def few_shot(ds: datasets.Dataset, per_class: int, seed: int) -> datasets.Dataset:
    """``per_class`` random training images of each class; the test set unchanged."""
    rng = np.random.default_rng(seed)
    idx = np.sort(
        np.concatenate(
            [rng.choice(np.flatnonzero(ds.y_train == k), per_class, replace=False)
             for k in range(ds.num_classes)]
        )
    )  # fmt: skip
    return datasets.Dataset(
        f"{ds.name}-{per_class}shot-{seed}",
        ds.x_train[idx],
        ds.y_train[idx],
        ds.x_test,
        ds.y_test,
        list(ds.class_names),
    )


def extraction(ds: datasets.Dataset) -> None:
    model = transfer.build_model(TransferConfig(), ds.num_classes)
    x = ds.x_train
    transfer.extract_features(model, x[:8], cache=False)  # compile the forward pass once
    t0 = time.perf_counter()
    first, hit1 = transfer.extract_features(model, x, batch_size=32)
    t1 = time.perf_counter()
    second, hit2 = transfer.extract_features(model, x, batch_size=32)
    t2 = time.perf_counter()
    assert not hit1 and hit2 and np.array_equal(first, second)
    a, b = len(x) / (t1 - t0), len(x) / (t2 - t1)
    print(f"\n1. Feature extraction, {len(x)} faces images → 224×224 → {first.shape[1]} features")
    print(f"   first run (computed, cached): {a:8.1f} images/s  ({t1 - t0:.2f} s)")
    print(f"   second run (from the cache):  {b:8.1f} images/s  ({t2 - t1:.3f} s)")
    print(f"   cached / first: {b / a:,.0f}×")


def _run(ds, cfg) -> tuple[TrainingJob, float]:
    job = TrainingJob(ds, cfg)
    started = time.perf_counter()
    job.start()
    job.wait()
    if job.status != "finished":
        raise SystemExit(f"{job.name}: {job.status} {job.error}")
    return job, time.perf_counter() - started


def _epoch_seconds(job) -> float:
    secs = [e.seconds for e in job.events() if isinstance(e, EpochEnd)]
    return statistics.median(secs[1:] if len(secs) > 1 else secs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--per-class", type=int, default=16)
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    t0 = time.perf_counter()
    pretrained.load(pretrained.BUNDLED)
    print(f"Bundled base loaded in {time.perf_counter() - t0:.1f} s")
    faces = datasets.load("faces")
    extraction(faces)

    setups = {
        "features": transfer.recommended_config("features"),
        "frozen": transfer.recommended_config("frozen"),
        "finetune": transfer.recommended_config("finetune"),
        "scratch CNN": training.recommended_config("faces"),
    }
    results: dict[str, list[tuple[float, float, float, int]]] = {k: [] for k in setups}
    for seed in args.seeds:
        ds = few_shot(faces, args.per_class, seed)
        for name, cfg in setups.items():
            cfg.seed = seed
            job, wall = _run(ds, cfg)
            results[name].append(
                (job.result.test_accuracy, _epoch_seconds(job), wall, job.result.epochs_run)
            )
    majority = np.bincount(faces.y_test).max() / len(faces.y_test)
    n_test = len(faces.y_test)
    print(
        f"\n2./3. faces, {args.per_class} training images per class, {n_test} test images, "
        f"seeds {args.seeds} (mean ± sd over seeds)"
    )
    print(f"   {'setup':12s} {'epochs':>6s} {'s/epoch':>8s} {'job s':>7s} {'test accuracy':>16s}")
    for name, rows in results.items():
        acc = [r[0] for r in rows]
        sd = statistics.stdev(acc) if len(acc) > 1 else 0.0
        print(
            f"   {name:12s} {rows[0][3]:6d} {statistics.mean(r[1] for r in rows):8.2f} "
            f"{statistics.mean(r[2] for r in rows):7.1f} "
            f"{statistics.mean(acc):9.1%} ± {sd:4.1%}  "
            f"(errors {', '.join(str(round(n_test * (1 - a))) for a in acc)})"
        )
    print(f"   {'majority class':12s} {'':6s} {'':8s} {'':7s} {majority:9.1%}")


if __name__ == "__main__":
    main()
