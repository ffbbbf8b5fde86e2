"""Memory of a 2,000-image project of your own classes, through the core API.

Run: ``.venv/bin/python bench/my_classes_memory.py [--images 2000] [--classes 4]
[--no-train]`` (a few minutes on 2 cores). In a temporary ``CNNVIZ_HOME`` (never kept), a
fresh workspace's :class:`cnnviz.myclasses.Project` gets ``--images`` camera-sized photos
(640×480 JPEGs, each different, made in memory) in ``--classes`` classes, added 50 at a time
as an upload of many files is. Printed after every 250 images: the process's RSS, the
images and bytes on disk, and the seconds per image added. Then, unless ``--no-train``, a
training on the bundled base (every image's features extracted once), five more images
and a second training (five extracted), with RSS after each, and the thumbnails of every
class read as the page reads them.

Nothing is asserted (RSS is noisy): the target is a flat line over the additions (growth
from the first 250 to the last within a few tens of MiB, whatever the image count) and a
training whose memory does not grow with the project beyond its feature array
(2,000 × 1280 float32 = 10 MB).

Measured on a shared 2-core, 24 GiB CPU box: 701 MiB before any image (TensorFlow loaded),
723 MiB after 250 images, 726 MiB after 2,000 (+3 MiB over the additions; 29.7 MB on
disk); all 2,000 thumbnails read in 0.1 s. After training, 1,247 MiB with 2,000 images and
1,263 MiB with 250 (the bundled base and TensorFlow's functions, not the images); the first
training sent 2,000 images through the base in 139 s, the retraining after five more sent
five, in 5.8 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 50
EVERY = 250


def rss_mib() -> float:
    """Resident memory of this process in MiB (``VmRSS``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def photo(index: int, klass: int):
    """A 640×480 JPEG (bytes) that differs from every other: gradients, a disc, noise."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(index)
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack(
        [(xx * (klass + 1)) % 256, (yy * 2 + index) % 256, (xx + yy + 60 * klass) % 256], -1
    ).astype(np.uint8)
    cv2.circle(
        base, (int(rng.integers(80, 560)), int(rng.integers(80, 400))), 60, (255, 255, 0), -1
    )
    base = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    _, buf = cv2.imencode(".jpg", base, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return buf.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--no-train", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        os.environ["CNNVIZ_HOME"] = home
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from cnnviz import diskspace, myclasses, workspaces

        project = myclasses.Project(workspaces.Workspace(workspaces.new_key()))
        ids = [project.add_class(f"class {k}") for k in range(args.classes)]
        start_rss = rss_mib()
        print(f"before any image: RSS {start_rss:.0f} MiB (TensorFlow and Keras loaded)")
        print(f"{'images':>7} {'RSS MiB':>8} {'on disk MB':>10} {'ms/image':>9}")
        series = []
        added, t0 = 0, time.perf_counter()
        while added < args.images:
            n = min(BATCH, args.images - added)
            klass = (added // BATCH) % args.classes
            sources = [(f"{added + i}.jpg", photo(added + i, klass)) for i in range(n)]
            project.add_images(ids[klass], sources, on_error="raise")
            added += n
            if added % EVERY == 0 or added == args.images:
                ms = (time.perf_counter() - t0) * 1000 / EVERY
                disk = diskspace.tree_bytes(project.folder) / 1e6
                series.append(rss_mib())
                print(f"{added:>7} {series[-1]:>8.0f} {disk:>10.1f} {ms:>9.1f}")
                t0 = time.perf_counter()
        print(
            f"RSS growth over the additions: {series[-1] - series[0]:+.0f} MiB from the first "
            f"{EVERY} to {added} images ({series[-1] - start_rss:+.0f} MiB from before the first)"
        )
        t0 = time.perf_counter()
        thumbs = sum(len(project.thumbnails(c)) for c in ids)
        print(
            f"all {thumbs} thumbnails read in {time.perf_counter() - t0:.2f} s, "
            f"RSS {rss_mib():.0f} MiB"
        )
        if args.no_train:
            return
        t0 = time.perf_counter()
        result = myclasses.train(project)
        print(
            f"trained: {result.extracted} images through the base, "
            f"{time.perf_counter() - t0:.0f} s, "
            f"held-out accuracy {result.held_out_accuracy}, RSS {rss_mib():.0f} MiB"
        )
        project.add_images(ids[0], [(f"extra{i}.jpg", photo(10**6 + i, 0)) for i in range(5)])
        t0 = time.perf_counter()
        result = myclasses.train(project)
        print(
            f"retrained after 5 more: {result.extracted} images through the base, "
            f"{time.perf_counter() - t0:.1f} s, RSS {rss_mib():.0f} MiB"
        )
        model = myclasses.load_model(project)
        probs = model.predict_proba(
            [myclasses.pictures.read(project.image_path(ids[1], project.image_ids(ids[1])[0]))]
        )
        print(f"one prediction: {probs.round(3).tolist()}, RSS {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
