"""Which status a task may move to, and reopening as its own, explicit step.

A finished task (completed or cancelled) moves nowhere by a status change: it comes back only by
being reopened, which the history records as a reopening. Asking for the status a task already
has changes nothing, so a request sent twice does no harm.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts.tasks import TaskStatus
from shared.errors import Conflict

PENDING, IN_PROGRESS, COMPLETED, CANCELLED = (
    TaskStatus.PENDING,
    TaskStatus.IN_PROGRESS,
    TaskStatus.COMPLETED,
    TaskStatus.CANCELLED,
)
CLOSED = frozenset({COMPLETED, CANCELLED})
ALLOWED: Mapping[TaskStatus, frozenset[TaskStatus]] = {
    PENDING: frozenset({IN_PROGRESS, COMPLETED, CANCELLED}),
    IN_PROGRESS: frozenset({PENDING, COMPLETED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
# Where reopening leads: the task is to be done again, from the start.
REOPENED_AS = PENDING


def is_open(status: TaskStatus) -> bool:
    return status not in CLOSED


def check_transition(current: TaskStatus, target: TaskStatus) -> None:
    """Refuse a move that is not allowed, naming the transition."""
    if target == current or target in ALLOWED[current]:
        return
    hint = "; reopen the task first" if current in CLOSED else ""
    raise Conflict(
        f"transition {current.value} -> {target.value} is not allowed{hint}", field="status"
    )


def check_reopen(current: TaskStatus) -> None:
    if current not in CLOSED:
        raise Conflict(
            f"transition {current.value} -> {REOPENED_AS.value} by reopening is not allowed: "
            "only a completed or cancelled task is reopened",
            field="status",
        )
