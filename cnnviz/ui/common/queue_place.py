"""A waiting training job's place in the queue, in the one wording every part of a page uses.

The sidebar and the Train page's progress section both call :func:`queue_place`, so they
never disagree ("number 1" on the page, "position 2" in the sidebar); both refresh every
``QUEUE_POLL_SECONDS`` while a job waits.
"""

from __future__ import annotations

QUEUE_POLL_SECONDS = 3.0  # how often a waiting job's place is read again


def queue_place(job) -> str:
    """``"number 2 in the queue (first come, first served)"``, read from the scheduler now.

    Args:
        job: a training job (its ``queue_position`` is 1-based; 0 once it left the queue).
    """
    position = int(job.queue_position)
    if position <= 0:
        return "leaving the queue (first come, first served)"
    return f"number {position} in the queue (first come, first served)"
