"""The sentences a student reads when the process training their model is gone."""

from __future__ import annotations

import signal

AFTER = (
    " The server and the other trainings go on, and every model saved before is kept. "
    "Press Train to try again."
)


def worker_died(exitcode: int | None, memory_limit_mb: float | None = None, where: str = "") -> str:
    """Why a worker process ended in the middle of a job, for the student.

    Args:
        exitcode: the process's exit code (negative: killed by that signal).
        memory_limit_mb: set when the server stopped it for passing its memory limit.
        where: where the process ran, in words ("on a lab computer"), if not here.
    """
    at = f" {where}" if where else ""
    if memory_limit_mb is not None:
        return (
            f"This training used more than {memory_limit_mb / 1024:.1f} GB of memory, the "
            "limit for one training on this server, so it was stopped. A smaller batch size, "
            "smaller images or a smaller network needs less." + AFTER
        )
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        cause = " (often the computer running out of memory)" if -exitcode == signal.SIGKILL else ""
        return (
            f"The process training this model{at} was killed ({name}){cause}, so the training "
            "ended before it finished." + AFTER
        )
    return (
        f"The process training this model{at} ended unexpectedly (exit code {exitcode}), so the "
        "training ended before it finished." + AFTER
    )


def node_left(detail: str = "") -> str:
    """A Ray node (a lab machine) that left the cluster during the job."""
    more = f" ({detail})" if detail else ""
    return (
        "The lab computer training this model left the cluster (switched off, disconnected "
        f"or out of memory){more}, so the training ended before it finished." + AFTER
    )


def cluster_gone(detail: str = "") -> str:
    """The Ray cluster itself cannot be reached."""
    more = f" ({detail})" if detail else ""
    return (
        "The cluster of lab computers that trains the models cannot be reached"
        f"{more}. Ask the teacher to check that `ray start --head` still runs on the server."
        + AFTER
    )
