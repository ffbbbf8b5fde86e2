"""A class watching training: throughput watched and unwatched, and a classmate's slider.

Run: ``.venv/bin/python bench/classroom.py`` (about five minutes on 2 cores). It serves this
checkout with a real ``streamlit run app.py`` on 127.0.0.1 and drives Debian's Chromium
through Playwright, one browser context (one Streamlit session) per student. Printed, side
by side from the one server:

1. **Training throughput** of the Train page's default job (synthetic shapes), read from the
   saved model's per-epoch images/s (the first epoch, with graph tracing, left out):
   - unwatched: the student presses Train and goes to the Home page;
   - watched by N = 1, 5 and 10 browsers: the student stays on the Train page, its live
     curves polled every second. Until jobs belong to a workspace in the URL, every other
     student opens the Train page in a session of their own and presses Train too, so they
     watch their own job's page, queued behind the measured one (what a class does today).
     Once the Train page puts a workspace in its URL, the other students open that URL and
     watch the measured job itself.
   The ratio watched / unwatched is the figure that matters (target: within 10%).
2. **A classmate's Filters slider** while a job runs: a third student moves the Gabor θ
   slider ten times, one second apart; the time from the key press to the redrawn figures
   (median and worst), measured in the browser, beside the same with no job running.
3. The websocket simulation of 1 to 30 Filters students (``bench/classroom_filters.py``),
   when that module is present (see :func:`filters_websocket_figures`).

Nothing is asserted; every loop is bounded; only 127.0.0.1 is contacted. The machine's load
counts: run it on an otherwise idle machine and read the ratios, not the absolute figures.

Usage: ``python bench/classroom.py [--watchers 1 5 10] [--epochs 10] [--slider-moves 10]
[--baseline]``; ``--baseline`` adds the unwatched and 1-watcher rounds on a second server
with Streamlit's own clean-up left on (``CNNVIZ_STREAMLIT_CLEANUP=1``, post-script GC on):
the before/after of the fix.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, _free_port, wait_for_app  # noqa: E402

HOST = "127.0.0.1"
JOB_TIMEOUT_S = 900


# ---- the server ---------------------------------------------------------------------------


@contextlib.contextmanager
def serve(home: Path, extra_env: dict[str, str] | None = None, flags: list[str] | None = None):
    """``streamlit run app.py`` on a free 127.0.0.1 port; yields ``(url, process)``."""
    port = _free_port()
    env = dict(os.environ, CNNVIZ_HOME=str(home), TF_CPP_MIN_LOG_LEVEL="2", CNNVIZ_MAX_JOBS="1")
    env.update(extra_env or {})
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.address", HOST, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            *(flags or []),
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://{HOST}:{port}"
    try:
        import urllib.request

        for _ in range(240):
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r,
            ):
                if r.status == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited; see {home / 'streamlit.log'}")
            time.sleep(0.5)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def saved_models(home: Path) -> dict[str, dict]:
    """Metadata of every model the server saved, by id."""
    out = {}
    for meta in (home / "models").glob("*/meta.json"):
        with contextlib.suppress(OSError, ValueError):
            out[meta.parent.name] = json.loads(meta.read_text())
    return out


def steady_throughput(meta: dict) -> float:
    """Median images/s over the epochs after the first (which includes graph tracing)."""
    rates = meta.get("images_per_sec") or []
    later = rates[1:] or rates
    return float(statistics.median(later)) if later else float("nan")


# ---- students -----------------------------------------------------------------------------


def open_train_page(ctx, url: str, epochs: int, *, smallest: bool = False):
    """A student's Train page with the default dataset and network and ``epochs`` epochs.

    ``smallest``: also the fewest and smallest training images (the sliders at their minimum).
    """
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(url + "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    wait_for_app(page, 300_000)
    for slider in ("Training images", "Image size") if smallest else ():
        page.get_by_role("slider", name=slider).focus()
        page.keyboard.press("Home")
        wait_for_app(page)
    field = page.get_by_label("Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_for_app(page)
    return page


def press_train(page) -> None:
    wait_for_app(page)
    page.locator(".st-key-train_start button").first.click()
    page.locator(".st-key-train_stop").first.wait_for()


def stop_own_job(page) -> None:
    """Stop this student's job if it still runs or waits (a queued one ends at once)."""
    stop = page.locator(".st-key-train_stop button")
    with contextlib.suppress(Exception):
        if stop.count():
            stop.first.click(timeout=5_000)


def wait_for_new_model(home: Path, before: set[str], timeout_s: float = JOB_TIMEOUT_S) -> dict:
    """The metadata of the first model saved after ``before`` (bounded wait)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = {
            k: v
            for k, v in saved_models(home).items()
            if k not in before and v.get("status") == "finished"  # not a watcher's stopped job
        }
        if new:
            return min(new.values(), key=lambda m: m.get("created_ts", 0))
        time.sleep(0.5)
    raise TimeoutError(f"no model saved within {timeout_s:.0f} s")


def wait_until_idle(home: Path, pages, timeout_s: float = 300) -> None:
    """Wait until no page shows a Stop button any more (every job ended)."""
    deadline = time.monotonic() + timeout_s
    for page in pages:
        while time.monotonic() < deadline:
            stop_own_job(page)
            if not page.locator(".st-key-train_stop").count():
                break
            time.sleep(1.0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def training_round(
    browser, url: str, home: Path, watchers: int, epochs: int, timeout_s: float = JOB_TIMEOUT_S
) -> dict:
    """One job of the default config, watched by ``watchers`` browsers (0: unwatched).

    Every watcher's page is open before the measured job starts, so they watch it from its
    first epoch; their own jobs (when the app has no shared workspace URL) are queued right
    after it.
    """
    new_context = lambda: browser.new_context(viewport={"width": 1300, "height": 900})  # noqa: E731
    contexts = [new_context()]
    starter = open_train_page(contexts[0], url, epochs)
    others = [open_train_page(ctx, url, epochs) for ctx in _more(contexts, new_context, watchers)]
    before = set(saved_models(home))
    try:
        press_train(starter)
        started = time.monotonic()
        if watchers == 0:
            starter.get_by_test_id("stSidebarNav").get_by_text("Home", exact=True).click()
        share = starter.url if "?" in starter.url else None
        for page in others:
            if share:  # the workspace is in the URL: watch the measured job itself
                page.goto(share)
            else:  # a session of its own: its own job, queued behind the measured one
                press_train(page)
        meta = wait_for_new_model(home, before, timeout_s)
        wall = time.monotonic() - started
    finally:
        watching = [*others, starter] if watchers else others
        for page in watching:
            stop_own_job(page)
        wait_until_idle(home, watching)
        for ctx in contexts:
            ctx.close()
    return {
        "watchers": watchers,
        "images_per_sec": steady_throughput(meta),
        "epoch_rates": meta.get("images_per_sec"),
        "seconds": meta.get("seconds"),
        "wall": wall,
        "test_accuracy": (meta.get("test_metrics") or {}).get("accuracy"),
    }


def _more(contexts: list, new_context, watchers: int) -> list:
    """``watchers - 1`` more browser contexts (appended to ``contexts`` for closing)."""
    extra = [new_context() for _ in range(max(0, watchers - 1))]
    contexts.extend(extra)
    return extra


# ---- a classmate's slider (Playwright; the websocket version is classroom_filters.py) ------

_SIGNATURE = """() => {
    const main = document.querySelector('[data-testid="stMain"]') || document.body;
    let s = '';
    for (const c of main.querySelectorAll('.js-plotly-plot')) {
        s += JSON.stringify((c.data || []).map(t => [t.z, t.source, t.y]));
    }
    for (const img of main.querySelectorAll('img')) s += img.src;
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return h + ':' + s.length;
}"""


def slider_latencies(browser, url: str, moves: int) -> list[float]:
    """Seconds from a θ key press to the redrawn Gabor figures, ``moves`` times."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(url + "/filters")
        page.get_by_role("heading", name="Filters").first.wait_for()
        wait_for_app(page)
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        wait_for_app(page)
        slider = page.get_by_role("slider", name="θ (orientation, degrees)").first
        out = []
        for i in range(moves):
            before = page.evaluate(_SIGNATURE)
            slider.focus()
            t0 = time.perf_counter()
            page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            page.wait_for_function(
                f"() => ({_SIGNATURE})() !== {json.dumps(before)}", polling=20, timeout=120_000
            )
            out.append(time.perf_counter() - t0)
            wait_for_app(page)
            page.wait_for_timeout(1000)
        return out
    finally:
        ctx.close()


def slider_during_job(browser, url: str, home: Path, epochs: int, moves: int) -> list[float]:
    """The slider's latencies while another student's job trains (unwatched)."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        page = open_train_page(ctx, url, epochs)
        press_train(page)
        latencies = slider_latencies(browser, url, moves)
        running_to_end = page.locator(".st-key-train_stop").count() > 0
        stop_own_job(page)
        wait_until_idle(home, [page])
    finally:
        ctx.close()
    if not running_to_end:
        print("  (the job ended before the slider moves did: use more --epochs)")
    return latencies


# ---- hook for the websocket simulation of Filters students --------------------------------


def filters_websocket_figures(url: str, pid: int) -> None:
    """Print ``bench/classroom_filters.py``'s figures for this server, when it is present.

    That module simulates 1 to 30 Filters students over raw websockets (per-rerun server
    cost, p50/p90 redraw, a flooding classmate); it is merged here as a section of its own.
    """
    try:
        from bench import classroom_filters
    except ImportError:
        print("\n(bench/classroom_filters.py not present: websocket figures skipped)")
        return
    import asyncio

    print("\n== Filters students over websockets (bench/classroom_filters.py) ==")
    result = asyncio.run(classroom_filters.measure(url, pid))
    classroom_filters.report("this checkout", result)


# ---- main ---------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:,.0f} ms, worst {max(values) * 1000:,.0f} ms"


def report_training(rows: list[dict]) -> None:
    base = rows[0]["images_per_sec"]
    for r in rows:
        who = "unwatched" if r["watchers"] == 0 else f"{r['watchers']:>2} watching"
        print(
            f"  {who:<12} {r['images_per_sec']:8,.0f} images/s  "
            f"ratio {r['images_per_sec'] / base:5.2f}  job {r['seconds']:6.1f} s  "
            f"test acc {r['test_accuracy'] or float('nan'):.1%}  "
            f"epochs {r['epoch_rates']}"
        )


def baseline(browser_launch, epochs: int, timeout_s: float) -> None:
    """The same rounds with Streamlit's own clean-up (keras clear_session, post-run GC).

    A watched job can be very slow there: a round that saves no model within ``timeout_s``
    is reported as such (the job is then stopped).
    """
    with tempfile.TemporaryDirectory(prefix="cnnviz-classroom-base-") as tmp:
        home = Path(tmp)
        env = {"CNNVIZ_STREAMLIT_CLEANUP": "1"}
        with serve(home, env, ["--runner.postScriptGC", "true"]) as (url, _):
            browser = browser_launch()
            training_round(browser, url, home, 0, 2)
            rows = [training_round(browser, url, home, 0, epochs)]
            try:
                rows.append(training_round(browser, url, home, 1, epochs, timeout_s))
            except TimeoutError:
                rows.append(None)
            print("\n== Baseline: Streamlit's per-run keras clear_session and GC left on ==")
            report_training([r for r in rows if r is not None])
            if rows[1] is None:
                print(f"   1 watching  no model saved within {timeout_s:.0f} s")
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--slider-moves", type=int, default=10)
    parser.add_argument("--skip-websockets", action="store_true")
    parser.add_argument(
        "--baseline", action="store_true", help="also measure with Streamlit's own clean-up"
    )
    parser.add_argument("--baseline-timeout", type=float, default=300.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="cnnviz-classroom-") as tmp:
        home = Path(tmp)
        with serve(home) as (url, proc), sync_playwright() as p:

            def launch():
                return p.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
                )

            browser = launch()
            print(f"server {url} (pid {proc.pid}), {os.cpu_count()} CPUs")
            # Warm-up: the core import and the first graph tracing are not what is measured.
            training_round(browser, url, home, 0, 2)

            print("\n== Training throughput (shapes defaults; epochs after the first) ==")
            rows = []
            for n in [0, *args.watchers]:
                cpu = cpu_seconds(proc.pid)
                row = training_round(browser, url, home, n, args.epochs)
                row["server_cpu_share"] = (cpu_seconds(proc.pid) - cpu) / row["wall"]
                rows.append(row)
            report_training(rows)
            print(
                "  server CPU (cores busy, whole round): "
                + ", ".join(f"{r['watchers']}: {r['server_cpu_share']:.2f}" for r in rows)
            )

            print("\n== A classmate's Filters slider (Playwright, key press to redraw) ==")
            quiet = slider_latencies(browser, url, args.slider_moves)
            long_job = max(2 * args.epochs, 20)
            busy = slider_during_job(browser, url, home, long_job, args.slider_moves)
            print(f"  no job running:  {_ms(quiet)}")
            print(f"  while training:  {_ms(busy)}")
            browser.close()
            if not args.skip_websockets:
                filters_websocket_figures(url, proc.pid)
        if args.baseline:
            with sync_playwright() as p:
                baseline(
                    lambda: p.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
                    ),
                    min(args.epochs, 3),
                    args.baseline_timeout,
                )


if __name__ == "__main__":
    main()
