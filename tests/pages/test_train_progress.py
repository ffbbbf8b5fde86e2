"""The progress panel's shared figures: one build per poll interval, however many watch."""

import types

from cnnviz.ui.train import progress


def _job(job_id, done=False):
    return types.SimpleNamespace(id=job_id, done=done)


def _counting_builder():
    calls = []

    def build(events):
        calls.append(len(events))
        return object()

    return build, calls


def test_watchers_of_a_running_job_share_one_build_per_interval():
    job, (build, calls) = _job("job-shared-1"), _counting_builder()
    events = list(range(10))
    first = progress.shared_figure(job, "curves", events, (0.6,), build)
    # Ten more watchers poll; one new event arrived meanwhile, within the interval.
    for _ in range(10):
        assert progress.shared_figure(job, "curves", [*events, 10], (0.6,), build) is first
    assert calls == [10]


def test_options_and_kinds_get_their_own_figures():
    job, (build, calls) = _job("job-shared-2"), _counting_builder()
    progress.shared_figure(job, "curves", [1], (0.6,), build)
    progress.shared_figure(job, "curves", [1], (0.0,), build)
    progress.shared_figure(job, "throughput", [1], (), build)
    assert len(calls) == 3


def test_a_finished_job_always_shows_every_event():
    job, (build, calls) = _job("job-shared-3", done=True), _counting_builder()
    progress.shared_figure(job, "curves", [1, 2], (), build)
    progress.shared_figure(job, "curves", [1, 2, 3], (), build)  # the last events
    again = progress.shared_figure(job, "curves", [1, 2, 3], (), build)
    assert calls == [2, 3]
    assert progress.shared_figure(job, "curves", [1, 2, 3], (), build) is again


def test_the_cache_stays_small():
    build, _ = _counting_builder()
    for i in range(100):
        progress.shared_figure(_job(f"job-many-{i}"), "curves", [1], (), build)
    assert len(progress._FIGURES) <= progress._FIGURES_KEPT
