"""The training queue: first come, first served, with the positions it reports."""

from __future__ import annotations

from cnnviz.training.scheduler import _Scheduler, next_number


class FakeJob:
    def __init__(self, name: str, started: list[str]):
        self.id = name
        self.owner = name
        self.number = next_number()  # the place in line, taken when the student pressed Train
        self.done = False
        self._started = started

    def launch(self) -> None:
        self._started.append(self.id)


def test_jobs_start_in_the_order_they_were_queued(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "1")
    scheduler, started = _Scheduler(), []
    one, two, three = (FakeJob(n, started) for n in ("one", "two", "three"))
    for job in (one, two, three):
        scheduler.submit(job)
    assert started == ["one"]
    assert (scheduler.position(two), scheduler.position(three)) == (1, 2)
    scheduler.release(one)
    assert started == ["one", "two"] and scheduler.position(three) == 1
    scheduler.release(two)
    assert started == ["one", "two", "three"]


def test_the_student_who_pressed_first_starts_first_though_submitted_later(monkeypatch):
    # Student 2 pressed Train before student 3, but student 2's job reached the queue
    # second (its click was still being prepared: quota walk, store listing): student 2 was
    # told position 2 and started after student 3.
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "1")
    scheduler, started = _Scheduler(), []
    one, two, three = (FakeJob(n, started) for n in ("one", "two", "three"))
    scheduler.submit(one)
    scheduler.submit(three)
    scheduler.submit(two)
    assert (scheduler.position(two), scheduler.position(three)) == (1, 2)
    scheduler.release(one)
    assert started == ["one", "two"]
    scheduler.release(two)
    assert started == ["one", "two", "three"]
