"""The Transfer page's lesson, measured: from scratch, features, frozen base, fine-tuning.

On the page's default dataset (``transfer.DEFAULT_DATASET``, at its default options) and
with the page's default settings for each way:

- ``scratch``: the Train page's network for that dataset (``training.recommended_config``),
  as "Compare the runs" lists it;
- ``features``, ``frozen``, ``finetune``: the bundled EfficientNet-Lite0 base with
  ``transfer.recommended_config(mode)`` and the page's 15 % validation split (what
  ``cnnviz.ui.transfer.settings_ui`` builds before the student changes anything).

Each way is trained once per seed (``TrainingConfig.seed``: initial weights, validation
split, augmentation; the dataset stays the page's). Prints the test accuracy per seed and
the mean, the errors, the test image count, seconds per run, and the wall time of the
page's default run (``features``, the first one, with nothing in the feature cache).

Usage: ``python bench/transfer_ways.py [--seeds 0 1 2] [--dataset NAME]``. Asserts nothing;
the last lines say whether scratch < features ≤ fine-tune and whether any way got 100 %.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CNNVIZ_HOME", tempfile.mkdtemp(prefix="cnnviz-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.transfer import machine
from cnnviz import datasets, pretrained, training, transfer
from cnnviz.training import TrainingConfig, TrainingJob

WAYS = ("scratch", "features", "frozen", "finetune")


def page_config(way: str, ds: datasets.Dataset, seed: int) -> TrainingConfig:
    """The settings a student gets by pressing Train without changing anything."""
    if way == "scratch":
        cfg = training.recommended_config(ds.name)
    else:
        cfg = transfer.recommended_config(way)
        # The Transfer page holds out 15 % of the training images when the set has no
        # validation split of its own.
        cfg.validation_split = 0.0 if ds.x_val is not None else 0.15
    cfg.seed = int(seed)
    cfg.validate()
    return cfg


def run(ds: datasets.Dataset, cfg: TrainingConfig) -> tuple[float, float]:
    """(test accuracy, wall seconds) of one training job."""
    job = TrainingJob(ds, cfg)
    started = time.perf_counter()
    job.start()
    job.wait()
    if job.status != "finished":
        raise SystemExit(f"{job.name}: {job.status} {job.error}")
    return float(job.result.test_accuracy), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--dataset", default=transfer.DEFAULT_DATASET)
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    t0 = time.perf_counter()
    ds = datasets.load(args.dataset)
    made = time.perf_counter() - t0
    n_test = len(ds.y_test)
    print(
        f"Dataset {ds.name} {ds.options}: {len(ds.x_train)} training, {n_test} test images, "
        f"{ds.num_classes} classes, {ds.input_shape[0]}×{ds.input_shape[1]} (made in "
        f"{made:.2f} s); one error = {1 / n_test:.2%}"
    )
    t0 = time.perf_counter()
    pretrained.load(pretrained.BUNDLED)
    print(f"Bundled base loaded in {time.perf_counter() - t0:.1f} s")

    acc: dict[str, list[float]] = {w: [] for w in WAYS}
    secs: dict[str, list[float]] = {w: [] for w in WAYS}
    first_features = None
    for seed in args.seeds:
        for way in ("features", "scratch", "frozen", "finetune"):
            a, s = run(ds, page_config(way, ds, seed))
            acc[way].append(a)
            secs[way].append(s)
            if way == "features" and first_features is None:
                first_features = s
            print(f"  seed {seed} {way:9s} {a:7.1%}  ({round(n_test * (1 - a))} errors, {s:.0f} s)")

    majority = np.bincount(ds.y_test).max() / n_test
    seed_cols = "".join(f"{'seed ' + str(s):>9s}" for s in args.seeds)
    print(f"\n{ds.name}, {n_test} test images, seeds {args.seeds}: test accuracy (errors)")
    print(f"  {'way':9s}{seed_cols}{'mean':>9s}{'errors':>14s}{'s/run':>7s}")
    for way in WAYS:
        per_seed = "".join(f"{a:9.1%}" for a in acc[way])
        errors = ", ".join(str(round(n_test * (1 - a))) for a in acc[way])
        print(
            f"  {way:9s}{per_seed}{statistics.mean(acc[way]):9.1%}{errors:>14s}"
            f"{statistics.mean(secs[way]):7.0f}"
        )
    print(f"  {'majority class':23s}{majority:>{9 * len(args.seeds) - 14}.1%}")
    print(f"\nThe page's default run (features, cold feature cache): {first_features:.1f} s")
    mean = {w: statistics.mean(acc[w]) for w in WAYS}
    order = mean["scratch"] < mean["features"] <= mean["finetune"]
    per_seed = all(
        acc["scratch"][i] < acc["features"][i] <= acc["finetune"][i] for i in range(len(args.seeds))
    )
    perfect = [w for w in WAYS if any(a >= 1.0 for a in acc[w])]
    print(f"scratch < features <= finetune (means): {order}; in every seed: {per_seed}")
    print(f"frozen <= finetune (means): {mean['frozen'] <= mean['finetune']}")
    print(f"any way at 100 % in any seed: {', '.join(perfect) or 'none'}")


if __name__ == "__main__":
    main()
