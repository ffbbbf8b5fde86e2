"""A class on the Filters page: N students move the Gabor θ slider at the same moment.

Run: ``.venv/bin/python bench/classroom_filters.py`` (a couple of minutes). It starts a real
``streamlit run app.py`` on 127.0.0.1 and simulates students over raw websockets, speaking
Streamlit's own protocol (``BackMsg``/``ForwardMsg`` protobufs from ``streamlit.proto``), so
no browser shares the CPU. A student's "redraw" is the time from sending the widget change
(a ``rerun_script`` BackMsg carrying the slider's new value and the fragment it lives in, as
the browser sends it) to the server's ``script_finished`` message, plus fetching every image
the rerun refers to over HTTP (what a browser does before it can paint).

Printed, for each server under test (``--root`` folders; the default is this checkout):

- the server's CPU time per rerun (``/proc`` utime + stime of the server process, divided by
  the number of reruns of the round);
- the p50 and p90 redraw latency for N = 1, 10 and 30 students, each moving the slider once
  at the same moment (every student has their own σ, so no two reruns hit the same cached
  response), over ``REPEATS`` rounds of fresh students;
- the flood case: one session sends 300 reruns 5 ms apart while a classmate moves the slider
  a few times; the classmate's latency against their quiet latency. Run twice, with the
  flood's reruns scoped to the slider's fragment (what a browser sends) and as whole-page
  reruns (what a hostile or broken client can send).

Nothing is asserted; all loops are bounded; only 127.0.0.1 is contacted. Pass
``--root /path/to/an/older/checkout`` (several allowed) to print before/after figures side by
side, and ``--no-gate`` to also measure this checkout with the rerun gate switched off
(``CNNVIZ_RERUN_GATE=0``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
SLIDER_KEY = "gabor_theta"
SIGMA_KEY = "gabor_sigma"
TIMEOUT_S = 120.0
FLOOD_TIMEOUT_S = 60.0
#: Rounds per class size (latencies pooled, CPU per rerun: median of the rounds).
REPEATS = 3
_MEDIA = re.compile(rb"/media/[0-9a-f]+\.(?:png|jpg|jpeg|webp)")


# ---------------------------------------------------------------------------------------------
# The server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(root: Path, env_extra: dict[str, str]):
    """``streamlit run app.py`` from ``root`` on a free 127.0.0.1 port; yields (url, pid)."""
    port = _free_port()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **env_extra)
    env.setdefault("CNNVIZ_HOME", str(Path("/tmp") / f"cnnviz-bench-{port}"))
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
        "--server.address", HOST, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = open(Path("/tmp") / f"cnnviz-bench-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"the server in {root} did not start; see {log.name}")
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# A student: one websocket session


@dataclass
class Student:
    """One browser tab, reduced to its websocket and the widget ids it has seen."""

    url: str
    ws: object = None
    widget_ids: dict[str, str] = field(default_factory=dict)  # user key -> widget id
    fragment_of: dict[str, str] = field(default_factory=dict)  # widget id -> fragment id
    page_hash: str = ""
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    media: set[bytes] = field(default_factory=set)
    reader: asyncio.Task | None = None

    async def connect(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, compression=None
        )
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "delta":
                self.media.update(_MEDIA.findall(raw))
                delta = msg.delta
                if delta.WhichOneof("type") == "new_element":
                    element = delta.new_element
                    proto = getattr(element, element.WhichOneof("type") or "", None)
                    wid = getattr(proto, "id", "")
                    if wid and wid.startswith("$$ID"):
                        user_key = wid.rsplit("-", 1)[-1]
                        self.widget_ids[user_key] = wid
                        self.fragment_of[wid] = delta.fragment_id
            elif (
                kind == "script_finished"
                and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                self.finished.set()

    async def rerun(self, states: list[WidgetState] | None = None, fragment: str = "") -> None:
        """Send a rerun_script BackMsg (the browser's widget change)."""
        back = BackMsg()
        cs = back.rerun_script
        cs.page_name = "filters"
        cs.page_script_hash = self.page_hash
        if states:
            cs.widget_states.widgets.extend(states)
        cs.fragment_id = fragment
        self.finished.clear()
        self.media.clear()
        await self.ws.send(back.SerializeToString())

    async def wait_redraw(self, timeout: float = TIMEOUT_S) -> bool:
        """Wait for script_finished and the images; False when ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self.finished.wait(), timeout)
        except TimeoutError:
            return False
        await asyncio.gather(*(asyncio.to_thread(self._fetch, path) for path in self.media))
        return True

    def _fetch(self, path: bytes) -> None:
        with urllib.request.urlopen(self.url + path.decode(), timeout=TIMEOUT_S) as r:
            r.read()

    def slider_state(self, key: str, value: float) -> WidgetState:
        state = WidgetState(id=self.widget_ids[key])
        state.double_array_value.data.append(value)
        return state

    async def move(
        self, key: str, value: float, *, scoped: bool = True, timeout: float = TIMEOUT_S
    ) -> float:
        """Move a slider and wait for the redraw; the latency in seconds (inf: timed out)."""
        wid = self.widget_ids[key]
        start = time.perf_counter()
        await self.rerun([self.slider_state(key, value)], self.fragment_of[wid] if scoped else "")
        if not await self.wait_redraw(timeout):
            return math.inf
        return time.perf_counter() - start


async def open_students(url: str, n: int) -> list[Student]:
    """N students open the Filters page (one after the other, like a class arriving)."""
    students = []
    for _ in range(n):
        s = Student(url)
        await s.connect()
        await s.rerun()
        await s.wait_redraw()
        if SLIDER_KEY not in s.widget_ids:
            raise RuntimeError(f"no {SLIDER_KEY} slider on the page: {sorted(s.widget_ids)}")
        students.append(s)
    return students


# ---------------------------------------------------------------------------------------------
# Scenarios


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def round_at_once(url: str, pid: int, n: int, theta: float) -> tuple[list[float], float]:
    """N students move θ at the same moment; (latencies, server CPU seconds per rerun)."""
    students = await open_students(url, n)
    try:
        # Each student's own σ, so every rerun computes a new response (no shared cache hit).
        for i, s in enumerate(students):
            await s.move(SIGMA_KEY, 1.0 + 0.5 * i)
        await asyncio.sleep(0.5)  # a human pause: nobody moves twice within milliseconds
        cpu0 = cpu_seconds(pid)
        lat = await asyncio.gather(*(s.move(SLIDER_KEY, theta) for s in students))
        cpu = (cpu_seconds(pid) - cpu0) / n
        return list(lat), cpu
    finally:
        await asyncio.gather(*(s.close() for s in students))


async def flood(url: str, *, scoped: bool, count: int = 300, gap_s: float = 0.005) -> dict:
    """One session floods reruns; a classmate's θ latency during the flood vs quiet."""
    flooder, mate = await open_students(url, 2)
    try:
        quiet = []
        for v in (20.0, 40.0, 60.0, 80.0, 100.0):
            await asyncio.sleep(0.3)
            quiet.append(await mate.move(SLIDER_KEY, v))
        wid = flooder.widget_ids[SLIDER_KEY]
        fragment = flooder.fragment_of[wid] if scoped else ""

        async def send_flood() -> None:
            for i in range(count):
                await flooder.rerun([flooder.slider_state(SLIDER_KEY, 5.0 * (i % 36))], fragment)
                await asyncio.sleep(gap_s)

        async def classmate() -> list[float]:
            await asyncio.sleep(0.25)
            out = []
            for v in (120.0, 130.0, 140.0, 150.0, 160.0):
                out.append(await mate.move(SLIDER_KEY, v, timeout=FLOOD_TIMEOUT_S))
                if math.isinf(out[-1]):
                    break  # starved: one timed-out move says enough
                await asyncio.sleep(0.3)
            return out

        start = time.perf_counter()
        _, during = await asyncio.gather(send_flood(), classmate())
        sent_s = time.perf_counter() - start
        await flooder.wait_redraw(FLOOD_TIMEOUT_S)  # let the flooder's last rerun drain
        drained_s = time.perf_counter() - start
        return {
            "quiet": statistics.median(quiet),
            "during": during,
            "sent_s": sent_s,
            "drained_s": drained_s,
        }
    finally:
        await flooder.close()
        await mate.close()


async def measure(url: str, pid: int) -> dict:
    # Warm the server once (imports, first page run), unmeasured.
    warm = await open_students(url, 1)
    await warm[0].move(SLIDER_KEY, 90.0)
    await warm[0].close()
    out = {}
    for i, n in enumerate((1, 10, 30)):
        lat, cpu = [], []
        for r in range(REPEATS):  # fresh students each time; θ never repeats (no cache hit)
            lat_r, cpu_r = await round_at_once(url, pid, n, theta=5.0 * (i + 1) + 60.0 * r)
            lat += lat_r
            cpu.append(cpu_r)
        out[n] = (lat, statistics.median(cpu))
    out["flood (fragment reruns)"] = await flood(url, scoped=True)
    out["flood (whole-page reruns)"] = await flood(url, scoped=False)
    return out


def report(name: str, result: dict) -> None:
    print(f"\n== {name}")
    print(f"  {'students':>8s} {'CPU ms/rerun':>13s} {'p50 s':>7s} {'p90 s':>7s} {'max s':>7s}")
    for n in (1, 10, 30):
        lat, cpu = result[n]
        print(
            f"  {n:>8d} {1000 * cpu:>13.0f} {pct(lat, 50):>7.2f} {pct(lat, 90):>7.2f} "
            f"{max(lat):>7.2f}"
        )
    for key in ("flood (fragment reruns)", "flood (whole-page reruns)"):
        f = result[key]
        during = f["during"]
        print(
            f"  {key}: classmate quiet {f['quiet']:.2f} s, during the flood "
            + ", ".join(
                f"{d:.2f}" if math.isfinite(d) else f"> {FLOOD_TIMEOUT_S:.0f}" for d in during
            )
            + f" s (median {statistics.median(during) / f['quiet']:.1f}×, worst "
            f"{max(during) / f['quiet']:.1f}× quiet); 300 sent in "
            f"{f['sent_s']:.1f} s, flooder drained after {f['drained_s']:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", action="append", type=Path, help="checkout(s) to serve")
    parser.add_argument("--no-gate", action="store_true", help="also run with the gate off")
    args = parser.parse_args()
    runs = [(str(r), Path(r).resolve(), {}) for r in (args.root or [])]
    runs.append(("this checkout", ROOT, {}))
    if args.no_gate:
        runs.append(("this checkout, rerun gate off", ROOT, {"CNNVIZ_RERUN_GATE": "0"}))
    print(f"cnnviz classroom benchmark: the Filters page, {os.cpu_count()} CPU cores")
    for name, root, env in runs:
        with serve(root, env) as (url, pid):
            report(name, asyncio.run(measure(url, pid)))


if __name__ == "__main__":
    main()
