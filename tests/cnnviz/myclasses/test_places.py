"""Places for trainings of your own classes: first come, first served, one per project."""

import threading

import pytest

from cnnviz.errors import InputError
from cnnviz.myclasses import places
from cnnviz.myclasses.places import Places, default_capacity


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (3, 1), (5, 2), (16, 7)])
def test_default_capacity_keeps_a_core_and_gives_two_per_training(cores, expected, monkeypatch):
    monkeypatch.delenv("CNNVIZ_MYCLASSES_JOBS", raising=False)
    assert default_capacity(cores) == expected


def test_the_environment_sets_the_capacity(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MYCLASSES_JOBS", "3")
    assert default_capacity(2) == 3
    monkeypatch.setenv("CNNVIZ_MYCLASSES_JOBS", "0")
    assert default_capacity(2) == 1
    monkeypatch.setenv("CNNVIZ_MYCLASSES_JOBS", "many")
    assert default_capacity(16) == 7


def _waiter(slots, owner, heard, entered, leave):
    def run():
        with slots.hold(owner, heard.append):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_trainings_wait_in_order_and_hear_how_many_are_ahead(monkeypatch):
    monkeypatch.setattr(places, "POLL_SECONDS", 0.01)
    slots = Places(1)
    first_in, second_in, third_in = threading.Event(), threading.Event(), threading.Event()
    leave_first, leave_second, leave_third = threading.Event(), threading.Event(), threading.Event()
    heard1, heard2, heard3 = [], [], []
    t1 = _waiter(slots, "a", heard1, first_in, leave_first)
    assert first_in.wait(5)
    t2 = _waiter(slots, "b", heard2, second_in, leave_second)
    while slots.counts() != (1, 1):
        threading.Event().wait(0.01)
    t3 = _waiter(slots, "c", heard3, third_in, leave_third)
    while slots.counts() != (1, 2):
        threading.Event().wait(0.01)
    assert not second_in.wait(0.1) and not third_in.is_set()
    leave_first.set()
    assert second_in.wait(5)
    assert not third_in.wait(0.1)  # the place went to the first in the queue
    leave_second.set()
    assert third_in.wait(5)
    leave_third.set()
    for t in (t1, t2, t3):
        t.join(5)
    assert heard1 == []  # a free place at once: nothing to say
    assert heard2 == [1]
    assert heard3[0] == 2 and heard3[-1] == 1
    assert slots.counts() == (0, 0)


def test_two_places_let_two_trainings_run_together():
    slots = Places(2)
    with slots.hold("a"), slots.hold("b"):
        assert slots.counts() == (2, 0)
    assert slots.counts() == (0, 0)


def test_a_project_trains_once_at_a_time():
    slots = Places(4)
    with slots.hold("a"):
        with pytest.raises(InputError, match="already training"), slots.hold("a"):
            pass
        assert slots.counts() == (1, 0)
    with slots.hold("a"):  # free again afterwards
        pass


def test_a_training_that_raises_or_a_waiter_that_is_interrupted_gives_its_place_back(
    monkeypatch,
):
    monkeypatch.setattr(places, "POLL_SECONDS", 0.01)
    slots = Places(1)
    with pytest.raises(RuntimeError), slots.hold("a"):
        raise RuntimeError("the training failed")
    assert slots.counts() == (0, 0)

    class StoppedByStudentError(Exception):
        pass

    def leave_while_waiting(ahead):
        raise StoppedByStudentError  # what Streamlit does when the student presses Stop or reloads

    with slots.hold("a"):
        with pytest.raises(StoppedByStudentError), slots.hold("b", leave_while_waiting):
            pass
        assert slots.counts() == (1, 0)
    with slots.hold("b"):
        assert slots.counts() == (1, 0)


def test_train_refuses_a_second_tab_of_the_same_project(project):
    from cnnviz import myclasses
    from tests.cnnviz.myclasses.conftest import two_classes

    two_classes(project, 3)
    with (
        places.PLACES.hold(project.workspace.key),
        pytest.raises(InputError, match="already training"),
    ):
        myclasses.train(project, epochs=1)
    assert myclasses.trained_record(project) is None
