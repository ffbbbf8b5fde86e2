"""Server memory over ``.keras`` upload cycles: the Train page's upload path against the store's.

Run: ``.venv/bin/python bench/upload_memory.py [--cycles 12] [--mb 48]`` (about five minutes
on 2 cores). A Dense-heavy model of about ``--mb`` MB is generated into a temporary folder
(never kept), then measured two ways, each in a fresh process, one after the other:

1. **The page**, as a student does it: ``streamlit run app.py`` on 127.0.0.1, driven by
   Debian's Chromium through Playwright. Each cycle picks the file in the Train page's
   "Upload a Keras model" form, presses "Add to my models", waits for "Added", opens the
   model's row in "Your models" and presses Delete. The server's RSS is read from
   ``/proc/<pid>/status`` after each cycle, and again after the tab is closed.
2. **The store alone** (baseline): ``ModelStore.import_keras`` then ``ModelStore.delete``
   on the same bytes, in a plain Python process, RSS after each cycle.

Printed: both series side by side, each one's growth from its first cycle and from before
the first upload. Nothing is asserted (RSS is noisy); the target is the page's growth over
the cycles within +100 MiB, like the store's. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.classroom import serve  # noqa: E402 - after the path above

MODEL_NAME = "upload_bench_model"
SETTLE_S = 2.0  # after each cycle, before RSS is read


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory of a process in MiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def make_model_file(folder: Path, megabytes: float) -> Path:
    """A Dense-heavy image classifier of about ``megabytes`` MB saved as ``.keras``."""
    import keras

    units = int(((megabytes * 2**20 / 4) ** 0.5) * 0.97)  # two units x units Dense layers
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(units // 4, activation="relu"),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(units // 4 * 3, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="upload_bench",
    )
    path = folder / f"{MODEL_NAME}.keras"
    model.save(path)
    return path


# ---- the store alone ---------------------------------------------------------------------


def store_loop(model_path: Path, cycles: int) -> dict:
    """Import and delete the model ``cycles`` times through ``ModelStore`` alone."""
    from cnnviz.store import ModelStore

    data = model_path.read_bytes()
    store = ModelStore()
    before = rss_mib()
    series = []
    for _ in range(cycles):
        model_id = store.import_keras(data, "bench-owner", name=MODEL_NAME)
        store.delete(model_id, "bench-owner")
        time.sleep(SETTLE_S)
        series.append(rss_mib())
    return {"before": before, "series": series}


# ---- the page ----------------------------------------------------------------------------


def _upload_and_delete(page, model_path: Path) -> None:
    """One cycle on the Train page: upload the file, add it, delete it."""
    from tests.e2e.conftest import wait_for_app

    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Model file")
    uploader.locator("input[type=file]").set_input_files(str(model_path))
    uploader.locator(f'[data-testid="stFileChipName"][title="{model_path.name}"]').wait_for()
    page.get_by_role("button", name="Add to my models").click()
    page.get_by_text("to your models.").first.wait_for()
    wait_for_app(page)
    # The list above the form was drawn before the upload: rerun (Streamlit's "r" key).
    page.get_by_role("heading", name="Your models").first.click()
    page.keyboard.press("r")
    row = page.get_by_test_id("stExpander").filter(has_text=MODEL_NAME).first
    row.wait_for()
    wait_for_app(page)
    row.locator("summary").click()
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached")
    wait_for_app(page)


def page_loop(model_path: Path, cycles: int, linger_s: float) -> dict:
    """The Train page's upload and delete, ``cycles`` times, in Chromium; server RSS."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, wait_for_app

    with (
        tempfile.TemporaryDirectory(prefix="cnnviz-upload-bench-") as home,
        serve(Path(home)) as (url, proc),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(180_000)
        page.goto(url + "/train")
        page.get_by_text("Upload a Keras model").first.wait_for()
        wait_for_app(page, 300_000)
        time.sleep(SETTLE_S)
        before = rss_mib(proc.pid)
        series = []
        for i in range(cycles):
            copy = Path(home) / f"{MODEL_NAME}_{i + 1}.keras"  # a new file each time
            shutil.copyfile(model_path, copy)
            _upload_and_delete(page, copy)
            copy.unlink()
            time.sleep(SETTLE_S)
            series.append(rss_mib(proc.pid))
            print(f"  page cycle {i + 1}: {series[-1]:.0f} MiB", flush=True)
        ctx.close()  # the tab closes
        time.sleep(linger_s)
        closed = rss_mib(proc.pid)
        browser.close()
    return {"before": before, "series": series, "closed": closed}


# ---- both, side by side ------------------------------------------------------------------


def _in_fresh_process(kind: str, model_path: Path, args) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--only", kind, "--model", str(model_path),
         "--cycles", str(args.cycles), "--linger", str(args.linger)],
        cwd=ROOT, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), check=True,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = out.stdout.splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--mb", type=float, default=48.0, help="size of the generated model")
    parser.add_argument("--linger", type=float, default=10.0, help="s after the tab closes")
    parser.add_argument("--only", choices=["page", "store"], help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        if args.only == "store":
            with tempfile.TemporaryDirectory(prefix="cnnviz-upload-bench-") as home:
                os.environ["CNNVIZ_HOME"] = home
                result = store_loop(args.model, args.cycles)
        else:
            result = page_loop(args.model, args.cycles, args.linger)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="cnnviz-upload-model-") as folder:
        model_path = make_model_file(Path(folder), args.mb)
        size = model_path.stat().st_size / 2**20
        print(f"model: {model_path.name}, {size:.1f} MiB; {args.cycles} cycles; cpu cores: "
              f"{os.cpu_count()}")  # fmt: skip
        page = _in_fresh_process("page", model_path, args)
        store = _in_fresh_process("store", model_path, args)

    print("\nRSS (MiB) after each upload + delete cycle")
    print(f"{'cycle':>6} {'page (server)':>14} {'store alone':>12}")
    print(f"{'before':>6} {page['before']:>14.0f} {store['before']:>12.0f}")
    for i, (a, b) in enumerate(zip(page["series"], store["series"], strict=True), start=1):
        print(f"{i:>6} {a:>14.0f} {b:>12.0f}")
    print(f"{'closed':>6} {page['closed']:>14.0f} {'':>12}")
    for label, r in (("page (server)", page), ("store alone", store)):
        s = r["series"]
        print(
            f"{label}: growth cycle 1 → {len(s)}: {s[-1] - s[0]:+.0f} MiB; "
            f"from before the first upload: {s[-1] - r['before']:+.0f} MiB"
        )
    print(f"page after the tab closed ({args.linger:.0f} s): {page['closed']:.0f} MiB "
          f"({page['closed'] - page['series'][0]:+.0f} MiB from cycle 1)")  # fmt: skip


if __name__ == "__main__":
    main()
