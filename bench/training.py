"""Training benchmarks: the cost of live progress events, and the tuned defaults' accuracy.

1. Throughput: images/second of a ``TrainingJob`` (background thread, progress callback,
   uint8 → 0..1 scaling inside a wrapper model) versus a plain ``model.fit(verbose=0)`` on
   the same architecture, data and batch size, float32 inputs. Runs alternate, with a fresh
   model each time; the first epoch (graph tracing) is left out of both. Images per
   wall-clock second and per CPU second of this process are compared. Target ≥ 0.95.
2. Snapshot overhead: images/second of a ``TrainingJob`` with epoch snapshots (kernels,
   predictions and Grad-CAM of 8 probe images after every epoch) against the same job
   without, timed from one epoch's start to the next (so the snapshot is inside the
   time). Target ≥ 0.95.
3. Accuracy and wall time of ``training.recommended_config`` with the MNIST CNN preset on
   ``digits`` (target ≥ 97% test accuracy) and ``shapes`` (≥ 98%), each under two minutes
   on a 2-core CPU.

Usage: ``python bench/training.py [--repeats 8] [--seeds 0 1] [--skip-throughput]
[--skip-snapshots] [--skip-accuracy]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras
import numpy as np

from cnnviz import datasets, training
from cnnviz.training import TrainingConfig, TrainingJob


class _EpochTimer(keras.callbacks.Callback):
    """Epoch wall and process-CPU times (no batch hooks: Keras keeps its asynchronous path)."""

    def __init__(self):
        super().__init__()
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self._start = (0.0, 0.0)

    def on_epoch_begin(self, epoch, logs=None):
        self._start = (time.perf_counter(), time.process_time())

    def on_epoch_end(self, epoch, logs=None):
        self.wall.append(time.perf_counter() - self._start[0])
        self.cpu.append(time.process_time() - self._start[1])

    def rates(self, images: int) -> tuple[float, float]:
        """(images per wall second, images per CPU second) over epochs after the first."""
        n = images * (len(self.wall) - 1)
        return n / sum(self.wall[1:]), n / sum(self.cpu[1:])


def _plain_fit(ds, config: TrainingConfig) -> tuple[float, float]:
    """Plain model.fit(verbose=0): float32 inputs in [0, 1], no progress callback."""
    keras.utils.set_random_seed(config.seed)
    model = training.build_model(config, ds.input_shape, ds.num_classes)
    model.compile(
        optimizer=training.make_optimizer(config.optimizer, config.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = ds.x_train.astype(np.float32) / 255.0
    timer = _EpochTimer()
    model.fit(
        x,
        ds.y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        verbose=0,
        shuffle=True,
        callbacks=[timer],
    )
    return timer.rates(len(x))


def _job_fit(ds, config: TrainingConfig) -> tuple[float, float, int]:
    """A TrainingJob with its events; the same epoch timer rides along."""
    timer = _EpochTimer()
    job = TrainingJob(ds, config, callbacks=[timer]).start()
    job.wait()
    if job.status != "finished":
        raise RuntimeError(f"benchmark job ended {job.status}: {job.error}")
    return (*timer.rates(len(ds.x_train)), len(job.events()))


def throughput(repeats: int) -> None:
    full = datasets.load("shapes", n_train=3000, n_test=64)
    # No validation in either run: the same images go through the same model.
    ds = datasets.Dataset("shapes", full.x_train, full.y_train, full.x_test, full.y_test,
                          full.class_names)  # fmt: skip
    config = TrainingConfig(
        architecture="mnist_cnn",
        epochs=4,
        batch_size=32,
        validation_split=0.0,
        schedule="constant",
        seed=0,
    )
    print(
        f"\n## Throughput: TrainingJob with events vs plain model.fit(verbose=0)\n"
        f"MNIST CNN on shapes {ds.input_shape}, {len(ds.x_train)} images, batch "
        f"{config.batch_size}, {config.epochs} epochs per run (first left out), "
        f"device {training.detect_device()}"
    )
    _plain_fit(ds, config)  # warm-up: imports, thread pools, first tracing
    rows = []
    for r in range(repeats):
        # Alternate which goes first so drifting machine load hits both alike.
        if r % 2 == 0:
            plain = _plain_fit(ds, config)
            *job, n_events = _job_fit(ds, config)
        else:
            *job, n_events = _job_fit(ds, config)
            plain = _plain_fit(ds, config)
        rows.append((plain, job))
        print(
            f"  run {r + 1}: wall: plain {plain[0]:6.0f} img/s, job {job[0]:6.0f} img/s, "
            f"ratio {job[0] / plain[0]:.3f} | CPU: plain {plain[1]:6.0f} img/cpu-s, job "
            f"{job[1]:6.0f}, ratio {job[1] / plain[1]:.3f} | {n_events} events"
        )
    for k, what in ((0, "wall-clock"), (1, "CPU-time")):
        ratios = [j[k] / p[k] for p, j in rows]
        med_p = statistics.median(p[k] for p, _ in rows)
        med_j = statistics.median(j[k] for _, j in rows)
        best = max(j[k] for _, j in rows) / max(p[k] for p, _ in rows)
        print(
            f"  {what}: median ratio {statistics.median(ratios):.3f}, ratio of medians "
            f"{med_j / med_p:.3f}, best-of ratio {best:.3f} (target >= 0.95)"
        )
    print(
        "  (wall-clock figures move with other processes on a shared machine; the CPU-time "
        "ratio counts only this process's work per image)"
    )


class _EpochSpans(keras.callbacks.Callback):
    """Times from one epoch's start to the next (the last to the end of training), so every
    epoch-end callback, whatever its place in the list, is inside the span."""

    def __init__(self):
        super().__init__()
        self.marks: list[tuple[float, float]] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.marks.append((time.perf_counter(), time.process_time()))

    def on_train_end(self, logs=None):
        self.marks.append((time.perf_counter(), time.process_time()))

    def rates(self, images: int) -> tuple[float, float]:
        """(images per wall second, per CPU second of this process), epochs after the first."""
        n = images * (len(self.marks) - 2)
        return tuple(n / (self.marks[-1][k] - self.marks[1][k]) for k in (0, 1))


def _snapshot_job(ds, config: TrainingConfig, snapshots: bool) -> tuple[float, float]:
    spans = _EpochSpans()
    job = TrainingJob(ds, config, callbacks=[spans], snapshots=snapshots).start()
    job.wait()
    if job.status != "finished":
        raise RuntimeError(f"benchmark job ended {job.status}: {job.error}")
    return spans.rates(len(ds.x_train))


def snapshot_overhead(repeats: int) -> None:
    ds = datasets.load("digits")
    config = TrainingConfig(architecture="mnist_cnn", epochs=6, batch_size=32, seed=0)
    print(
        f"\n## Epoch snapshots: TrainingJob with vs without\n"
        f"MNIST CNN on digits {ds.input_shape}, {len(ds.x_train)} images (10% validation), "
        f"batch {config.batch_size}, {config.epochs} epochs per run (first left out)"
    )
    _snapshot_job(ds, config, True)  # warm-up
    rows = []
    for r in range(repeats):
        if r % 2 == 0:
            without = _snapshot_job(ds, config, False)
            with_ = _snapshot_job(ds, config, True)
        else:
            with_ = _snapshot_job(ds, config, True)
            without = _snapshot_job(ds, config, False)
        rows.append((without, with_))
        print(
            f"  run {r + 1}: wall: without {without[0]:6.0f} img/s, with {with_[0]:6.0f} img/s, "
            f"ratio {with_[0] / without[0]:.3f} | CPU: without {without[1]:6.0f} img/cpu-s, "
            f"with {with_[1]:6.0f}, ratio {with_[1] / without[1]:.3f}"
        )
    for k, what in ((0, "wall-clock"), (1, "CPU-time")):
        ratios = [w[k] / wo[k] for wo, w in rows]
        best = max(w[k] for _, w in rows) / max(wo[k] for wo, _ in rows)
        print(
            f"  {what}: median ratio {statistics.median(ratios):.3f}, best-of ratio "
            f"{best:.3f} (target >= 0.95)"
        )


def accuracy(seeds: list[int]) -> None:
    print("\n## MNIST CNN preset with the recommended defaults")
    targets = {"digits": 0.97, "shapes": 0.98}
    for name, target in targets.items():
        t0 = time.perf_counter()
        ds = datasets.load(name)
        load_s = time.perf_counter() - t0
        for seed in seeds:
            base = training.recommended_config(name)
            config = TrainingConfig(**{**base.__dict__, "seed": seed})
            t0 = time.perf_counter()
            job = TrainingJob(ds, config).start()
            job.wait()
            wall = time.perf_counter() - t0
            if job.status != "finished":
                print(f"  {name}: job {job.status}: {job.error}")
                continue
            acc = job.result.test_accuracy
            aug = config.augmentation
            print(
                f"  {name:7s} seed {seed}: test accuracy {acc:.2%} (target {target:.0%}, "
                f"{'met' if acc >= target else 'MISSED'}), {len(ds.x_test)} test images; "
                f"train+evaluate {wall:.1f} s + load {load_s:.1f} s (target < 120 s); "
                f"{config.epochs} epochs, batch {config.batch_size}, lr {config.learning_rate}"
                f" ({config.schedule}), input {ds.input_shape}, "
                f"augmentation {'shift ' + str(aug.shift) if aug.active else 'none'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-snapshots", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    print(f"cpu cores: {training.cpu_cores()}, load average: {os.getloadavg()}")
    if not args.skip_throughput:
        throughput(args.repeats)
    if not args.skip_snapshots:
        snapshot_overhead(max(2, args.repeats // 2))
    if not args.skip_accuracy:
        accuracy(args.seeds)


if __name__ == "__main__":
    main()
