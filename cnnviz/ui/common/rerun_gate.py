"""One session, one rerun at a time: a server-side gate that keeps a class responsive.

What Streamlit 1.67 does with back-to-back rerun requests from one browser session
(``AppSession.request_rerun`` and ``ScriptRequests``):

- A widget change inside an ``st.fragment`` asks for a fragment rerun. It never interrupts
  the running script; while one is pending, later ones are folded into it (one pending
  rerun, the union of the fragments, the newest widget values, button clicks kept).
  A session flooding fragment reruns therefore keeps exactly one script thread busy,
  back to back, for as long as the flood lasts.
- A whole-page rerun (a widget outside any fragment, a tab, or any client that leaves the
  fragment out) with ``runner.fastReruns`` on (the default) stops the running script and
  starts a *new* script thread at once. The stopped thread only stops at its next
  Streamlit call, so a flood starts many threads that compete for the one GIL: 300 requests
  5 ms apart held a classmate's slider up for 41 s.

The gate wraps ``AppSession.handle_backmsg`` so that a session's ``rerun_script`` requests
reach Streamlit one at a time:

- A request is passed on at once when the session is *settled* (its last run is over and
  every message of it has been handed to the websocket: ``AppSession.is_settled``) and its
  cool-down has passed. That is the case for every student who moves a slider and waits.
- Otherwise it waits, merged with the other waiting requests the way Streamlit merges them
  (newest widget values win, button clicks and other triggers survive; a whole-page rerun
  absorbs fragment reruns). When the run settles, the merged request goes on, after a
  cool-down of ``COOL_DOWN`` × the last run's duration (at most ``MAX_COOL_DOWN_S``): a
  flooding session gets at most about a third of one core, whatever it sends. (A student
  never notices: nobody moves a slider again within a few tens of milliseconds.)
- A run that takes longer than ``LONG_RUN_S`` is not waited for: the waiting request is
  passed on and Streamlit's own rules apply (a whole-page rerun interrupts the long run).
- Optionally (``CNNVIZ_MAX_RUNNING=k``, off by default), at most k runs go at once over all
  sessions; the others wait their turn, first come first served, and a run holds its place
  for at most ``LONG_RUN_S``. Python runs one thread at a time, so thirty scripts started
  together all finish near the end; taking them in turns lowers the median. Measured with
  30 simulated students on the shared 2-core machine, turns of 1, 2 or 4 lowered the median
  a little but raised the p90 (each hand-over waits for the busy event loop), so it is off.

Private API: ``AppSession`` is Streamlit's internal session class (there is no public hook
on incoming messages). The gate uses its public methods ``handle_backmsg``,
``track_settling``, ``is_settled`` and ``wait_until_settled`` and Streamlit's own merge
function ``script_requests._coalesce_widget_states``; ``tests/cnnviz/test_rerun_gate.py``
fails when any of them changes. ``CNNVIZ_RERUN_GATE=0`` switches the gate off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_requests import _coalesce_widget_states

_LOGGER = logging.getLogger(__name__)

#: Wait this many times the last run's duration before the next run of a busy session.
COOL_DOWN = 2.0
#: Upper bound of that wait, in seconds.
MAX_COOL_DOWN_S = 0.5
#: Runs longer than this (seconds) are not waited for before passing a request on.
LONG_RUN_S = 0.75
#: Runs (over all sessions) started at once, more wait their turn; 0 = no limit (default).
MAX_RUNNING = max(0, int(os.environ.get("CNNVIZ_MAX_RUNNING", "0") or 0))

_ATTR = "_cnnviz_rerun_gate"
_ORIGINAL = "_cnnviz_original_handle_backmsg"


def merge_client_states(older: ClientState, newer: ClientState) -> ClientState:
    """Fold two rerun requests of one session into one, as Streamlit folds pending reruns.

    The newer request's page, query string and widget values win; triggers (button clicks,
    chat input) that only the older one carries are kept. A whole-page request (no
    ``fragment_id``) absorbs a fragment request, since a page run also runs its fragments.

    Args:
        older: the request that arrived first.
        newer: the request that arrived later; both must be for the same fragment, or one of
            them for the whole page.

    Returns:
        A new ClientState (neither input is changed).
    """
    merged = ClientState()
    merged.CopyFrom(newer)
    states = _coalesce_widget_states(
        older.widget_states if older.HasField("widget_states") else None,
        newer.widget_states if newer.HasField("widget_states") else None,
    )
    merged.ClearField("widget_states")
    if states is not None:
        merged.widget_states.CopyFrom(states)
    if not older.fragment_id or not newer.fragment_id:
        merged.fragment_id = ""
    merged.is_auto_rerun = older.is_auto_rerun and newer.is_auto_rerun
    merged.is_history_navigation = older.is_history_navigation or newer.is_history_navigation
    return merged


@dataclass
class _Gate:
    """Per-session bookkeeping (lives on the AppSession object)."""

    #: Waiting requests by fragment id ("" = whole page), oldest first.
    pending: dict[str, ClientState] = field(default_factory=dict)
    watcher: asyncio.Task | None = None
    started: float = 0.0
    ready_at: float = 0.0
    passed: int = 0
    merged: int = 0

    def add(self, state: ClientState) -> None:
        """Queue a request, merging it with the waiting ones."""
        self.merged += 1
        if not state.fragment_id and self.pending:
            # A whole-page run absorbs every waiting fragment run (and keeps their clicks).
            for older in self.pending.values():
                state = merge_client_states(older, state)
            self.pending = {"": state}
            return
        key = "" if "" in self.pending else state.fragment_id
        older = self.pending.pop(key, None)
        self.pending[key] = state if older is None else merge_client_states(older, state)

    def take(self) -> list[ClientState]:
        states, self.pending = list(self.pending.values()), {}
        return states


class _Admission:
    """At most ``limit`` runs at once over all sessions (0: any number), in arrival order.

    Only used on the server's event loop thread (no locking needed).
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.running = 0
        self.waiters: deque[asyncio.Future] = deque()

    def try_acquire(self) -> bool:
        if not self.limit or (self.running < self.limit and not self.waiters):
            self.running += 1
            return True
        return False

    async def acquire(self) -> None:
        if self.try_acquire():
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter  # release() hands its place over by resolving this future
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the place was handed over just before the cancel
            raise

    def release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place goes straight to the next in line
                return
        self.running = max(0, self.running - 1)


_ADMISSION = _Admission(MAX_RUNNING)


def _gate(session: AppSession) -> _Gate:
    gate = getattr(session, _ATTR, None)
    if gate is None:
        gate = _Gate()
        setattr(session, _ATTR, gate)
        # Settling is tracked from now on; a run already going settles when it ends.
        session.track_settling()
    return gate


def _pass_on(session: AppSession, gate: _Gate, states: list[ClientState]) -> None:
    """Hand requests to Streamlit (in one go, so its own queue merges them)."""
    original: Callable[[AppSession, BackMsg], None] = getattr(AppSession, _ORIGINAL)
    gate.started = time.monotonic()
    for state in states:
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        gate.passed += 1
        original(session, msg)


async def _watch(session: AppSession, gate: _Gate, holding: bool) -> None:
    """Work off a session's waiting requests.

    Let its run settle (then give its place up), cool down, wait for a place, pass the
    merged waiting requests on; until nothing waits.

    Args:
        session: the AppSession.
        gate: its bookkeeping.
        holding: the session's current run holds one of the ``MAX_RUNNING`` places.
    """
    try:
        while True:
            if holding:
                # After LONG_RUN_S, let Streamlit decide (a page rerun interrupts a long run).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(session.wait_until_settled(), LONG_RUN_S)
                _ADMISSION.release()
                holding = False
                now = time.monotonic()
                gate.ready_at = now + min(MAX_COOL_DOWN_S, COOL_DOWN * (now - gate.started))
            if not gate.pending:
                return
            await asyncio.sleep(max(0.0, gate.ready_at - time.monotonic()))
            await _ADMISSION.acquire()
            holding = True
            _pass_on(session, gate, gate.take())
    except Exception:  # pragma: no cover - never leave a session stuck behind the gate
        _LOGGER.exception("rerun gate failed; passing the waiting requests on")
        if gate.pending:
            _pass_on(session, gate, gate.take())
    finally:
        if holding:
            _ADMISSION.release()
        gate.watcher = None


def _gated_handle_backmsg(self: AppSession, msg: BackMsg) -> None:
    """``AppSession.handle_backmsg`` with rerun requests passed through the gate."""
    original = getattr(AppSession, _ORIGINAL)
    if msg.WhichOneof("type") != "rerun_script":
        original(self, msg)
        return
    try:
        gate = _gate(self)
        holding = False
        idle = gate.watcher is None and self.is_settled and not gate.pending
        if idle and time.monotonic() >= gate.ready_at and _ADMISSION.try_acquire():
            holding = True
            _pass_on(self, gate, [msg.rerun_script])
        else:
            gate.add(msg.rerun_script)
        if gate.watcher is None:
            watch = _watch(self, gate, holding)
            gate.watcher = asyncio.get_running_loop().create_task(watch)
    except Exception:  # pragma: no cover - the gate must never lose a request
        _LOGGER.exception("rerun gate failed; passing the request on")
        original(self, msg)


def enabled() -> bool:
    """Whether the gate should be installed (``CNNVIZ_RERUN_GATE=0`` turns it off)."""
    return os.environ.get("CNNVIZ_RERUN_GATE", "1").strip().lower() not in ("0", "false", "no")


def installed() -> bool:
    """Whether :func:`install` has patched ``AppSession`` in this process."""
    return hasattr(AppSession, _ORIGINAL)


def install() -> bool:
    """Patch ``AppSession.handle_backmsg`` once per process.

    Idempotent: a second call sees the first one's marker and does nothing.

    Returns:
        True when the gate is active.
    """
    if installed():
        return True
    if not enabled():
        return False
    setattr(AppSession, _ORIGINAL, AppSession.handle_backmsg)
    AppSession.handle_backmsg = _gated_handle_backmsg  # type: ignore[method-assign]
    return True


def stats(session: Any) -> tuple[int, int]:
    """(requests passed on, requests merged) for one AppSession, for benchmarks and tests."""
    gate = getattr(session, _ATTR, None)
    return (gate.passed, gate.merged) if gate else (0, 0)
