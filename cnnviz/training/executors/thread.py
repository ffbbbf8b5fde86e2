"""The ``thread`` executor: a job trains in a thread of the server process."""

from __future__ import annotations

import threading

from cnnviz.training.device import max_concurrent_jobs


class ThreadExecutor:
    """Runs each job's :class:`~cnnviz.training.run.TrainingRun` in a daemon thread."""

    key = "thread"

    def capacity(self) -> int:
        """``CNNVIZ_MAX_JOBS``, default 1 on a CPU and 2 on a GPU."""
        return max_concurrent_jobs()

    def launch(self, job) -> None:
        """Train ``job`` in a new thread (its live objects stay in this process)."""
        threading.Thread(target=job.run_here, name=job.id, daemon=True).start()

    def stop(self, job) -> None:
        """Nothing to pass on: the thread reads the job's stop flag itself."""

    def warm_up(self) -> None:
        """Nothing to start."""

    def shutdown(self) -> None:
        """Threads end with their jobs."""

    def describe(self) -> str:
        """In words."""
        return f"this server's own process ({self.capacity()} at a time)"
