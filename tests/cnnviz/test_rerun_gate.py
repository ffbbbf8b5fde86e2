"""The per-session rerun gate: Streamlit's private surface it relies on, merging, and flow."""

import asyncio
import inspect

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils import script_requests

from cnnviz.ui.common import rerun_gate
from cnnviz.ui.common.rerun_gate import _Gate, merge_client_states

# ---------------------------------------------------------------------------------------------
# The Streamlit API the gate is built on (fails when an upgrade changes it)


def test_app_session_still_has_what_the_gate_uses():
    assert list(inspect.signature(AppSession.handle_backmsg).parameters) == ["self", "msg"]
    assert list(inspect.signature(AppSession.track_settling).parameters) == ["self"]
    assert isinstance(inspect.getattr_static(AppSession, "is_settled"), property)
    assert inspect.iscoroutinefunction(AppSession.wait_until_settled)
    # The message the gate intercepts, and the fields it merges.
    assert BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].message_type.name == "ClientState"
    fields = ClientState.DESCRIPTOR.fields_by_name
    for name in ("widget_states", "fragment_id", "is_auto_rerun", "is_history_navigation"):
        assert name in fields


def test_streamlit_merge_keeps_an_older_click():
    assert script_requests._coalesce_widget_states is rerun_gate._coalesce_widget_states
    older = ClientState()
    older.widget_states.widgets.add(id="button", trigger_value=True)
    older.widget_states.widgets.add(id="slider", int_value=1)
    newer = ClientState()
    newer.widget_states.widgets.add(id="slider", int_value=2)
    merged = {w.id: w for w in merge_client_states(older, newer).widget_states.widgets}
    assert merged["button"].trigger_value is True
    assert merged["slider"].int_value == 2


# ---------------------------------------------------------------------------------------------
# Merging requests


def _request(value: int, fragment: str = "", *, click: bool = False) -> ClientState:
    state = ClientState(fragment_id=fragment, page_name="filters")
    state.widget_states.widgets.append(WidgetState(id="theta", int_value=value))
    if click:
        state.widget_states.widgets.append(WidgetState(id="button", trigger_value=True))
    return state


def test_merge_takes_the_newest_values_and_keeps_the_fragment_when_both_have_it():
    merged = merge_client_states(_request(1, "frag"), _request(2, "frag"))
    assert merged.fragment_id == "frag"
    assert [(w.id, w.int_value) for w in merged.widget_states.widgets] == [("theta", 2)]


def test_a_whole_page_request_absorbs_fragment_requests():
    gate = _Gate()
    gate.add(_request(1, "a", click=True))
    gate.add(_request(2, "b"))
    assert list(gate.pending) == ["a", "b"]  # two fragments: both will run
    gate.add(_request(3, ""))
    (only,) = gate.take()
    assert only.fragment_id == ""
    values = {w.id: w for w in only.widget_states.widgets}
    assert values["theta"].int_value == 3 and values["button"].trigger_value
    gate.add(_request(4, "a"))  # while a page run waits, fragment requests join it
    gate.add(_request(5, ""))
    gate.add(_request(6, "b"))
    assert list(gate.pending) == [""]


def test_inputs_are_not_changed():
    older, newer = _request(1, "f", click=True), _request(2, "f")
    before = (older.SerializeToString(), newer.SerializeToString())
    merge_client_states(older, newer)
    assert (older.SerializeToString(), newer.SerializeToString()) == before


# ---------------------------------------------------------------------------------------------
# The flow, with a stand-in session whose runs take a fixed time


class FakeSession:
    """What the gate sees of an AppSession: settling, and the original message handler."""

    def __init__(self, run_s: float):
        self.run_s = run_s
        self.runs: list[ClientState] = []
        self.others: list[str] = []
        self._settled = asyncio.Event()
        self._settled.set()

    def track_settling(self) -> None:
        pass

    @property
    def is_settled(self) -> bool:
        return self._settled.is_set()

    async def wait_until_settled(self) -> None:
        await self._settled.wait()

    def original(self, msg: BackMsg) -> None:
        if msg.WhichOneof("type") != "rerun_script":
            self.others.append(msg.WhichOneof("type"))
            return
        self.runs.append(msg.rerun_script)
        self._settled.clear()
        asyncio.get_running_loop().call_later(self.run_s, self._settled.set)


@pytest.fixture
def fake_original(monkeypatch):
    monkeypatch.setattr(AppSession, rerun_gate._ORIGINAL, lambda s, m: s.original(m), raising=False)


def _rerun_msg(state: ClientState) -> BackMsg:
    msg = BackMsg()
    msg.rerun_script.CopyFrom(state)
    return msg


def test_an_idle_session_reruns_at_once_and_other_messages_pass(fake_original):
    async def scenario():
        session = FakeSession(run_s=0.01)
        rerun_gate._gated_handle_backmsg(session, _rerun_msg(_request(7, "f")))
        assert len(session.runs) == 1  # synchronously, no waiting
        heartbeat = BackMsg(app_heartbeat=True)
        rerun_gate._gated_handle_backmsg(session, heartbeat)
        assert session.others == ["app_heartbeat"]
        await asyncio.sleep(0.1)

    asyncio.run(scenario())


def test_a_flood_is_merged_into_a_few_runs_and_keeps_the_last_value_and_clicks(fake_original):
    async def scenario():
        session = FakeSession(run_s=0.02)
        for i in range(100):
            request = _request(i, "f", click=(i == 40))
            rerun_gate._gated_handle_backmsg(session, _rerun_msg(request))
            await asyncio.sleep(0.002)
        for _ in range(100):  # bounded wait for the last merged request to run
            if getattr(session, rerun_gate._ATTR).watcher is None:
                break
            await asyncio.sleep(0.02)
        return session

    session = asyncio.run(scenario())
    passed, merged = rerun_gate.stats(session)
    assert passed == len(session.runs)
    assert len(session.runs) < 25  # ~0.2 s of flood / (20 ms run + 20 ms cool-down) + 1
    assert passed + merged >= 100
    last = {w.id: w for w in session.runs[-1].widget_states.widgets}
    assert last["theta"].int_value == 99
    clicked = [
        r
        for r in session.runs
        if any(w.id == "button" and w.trigger_value for w in r.widget_states.widgets)
    ]
    assert len(clicked) == 1  # the click ran exactly once


def test_sessions_take_turns_a_few_at_a_time(fake_original, monkeypatch):
    monkeypatch.setattr(rerun_gate, "_ADMISSION", rerun_gate._Admission(2))
    running, peak = [0], [0]

    class Counted(FakeSession):
        def original(self, msg):
            super().original(msg)
            running[0] += 1
            peak[0] = max(peak[0], running[0])

            def done():
                running[0] -= 1

            asyncio.get_running_loop().call_later(self.run_s * 0.99, done)

    async def scenario():
        sessions = [Counted(run_s=0.03) for _ in range(7)]
        for i, s in enumerate(sessions):  # the whole class moves a slider at once
            rerun_gate._gated_handle_backmsg(s, _rerun_msg(_request(i, "f")))
        for _ in range(100):
            if all(getattr(s, rerun_gate._ATTR).watcher is None for s in sessions):
                break
            await asyncio.sleep(0.02)
        return sessions

    sessions = asyncio.run(scenario())
    assert [len(s.runs) for s in sessions] == [1] * 7  # everyone's rerun ran, once
    assert peak[0] == 2
    assert rerun_gate._ADMISSION.running == 0 and not rerun_gate._ADMISSION.waiters


def test_admission_hands_places_over_in_order():
    async def scenario():
        admission = rerun_gate._Admission(1)
        order = []
        assert admission.try_acquire()

        async def student(i):
            await admission.acquire()
            order.append(i)
            await asyncio.sleep(0.001)
            admission.release()

        tasks = [asyncio.create_task(student(i)) for i in range(4)]
        await asyncio.sleep(0.01)
        assert order == [] and len(admission.waiters) == 4
        admission.release()
        await asyncio.gather(*tasks)
        return order, admission

    order, admission = asyncio.run(scenario())
    assert order == [0, 1, 2, 3]
    assert admission.running == 0


def test_install_is_idempotent_and_can_be_switched_off(monkeypatch):
    original = AppSession.handle_backmsg
    if rerun_gate.installed():
        original = getattr(AppSession, rerun_gate._ORIGINAL)
        monkeypatch.delattr(AppSession, rerun_gate._ORIGINAL)
    monkeypatch.setattr(AppSession, "handle_backmsg", original)
    monkeypatch.setenv("CNNVIZ_RERUN_GATE", "0")
    assert rerun_gate.install() is False and not rerun_gate.installed()
    monkeypatch.delenv("CNNVIZ_RERUN_GATE")
    assert rerun_gate.install() is True and rerun_gate.install() is True
    assert AppSession.handle_backmsg is rerun_gate._gated_handle_backmsg
    assert getattr(AppSession, rerun_gate._ORIGINAL) is original
