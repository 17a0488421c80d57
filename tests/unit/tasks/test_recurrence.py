"""Recurring tasks: completing one creates the next, counted from the series' first deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.domain.recurrence import Series, due_at, following
from services.tasks.domain.task import Task
from shared.contracts.tasks import Recurrence, RecurrenceUnit, TaskPatch, TaskStatus
from shared.errors import InvalidInput
from tests.unit.tasks.drafts import ANNA, BEN, NOW, task

DUE = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def every(n: int, unit: str) -> Recurrence:
    return Recurrence(every=n, unit=RecurrenceUnit(unit))


def complete(current: Task, at: datetime, next_id: str = "t2") -> tuple[Task, Task | None]:
    return current.moved_to(TaskStatus.COMPLETED, actor=BEN, now=at, next_task_id=next_id)


@pytest.mark.parametrize(
    ("recurrence", "expected"),
    [
        (every(3, "days"), DUE + timedelta(days=3)),
        (every(2, "weeks"), DUE + timedelta(weeks=2)),
        (every(1, "months"), datetime(2027, 1, 4, 17, 0, tzinfo=UTC)),
    ],
)
def test_completing_a_recurring_task_creates_the_next_one(
    recurrence: Recurrence, expected: datetime
) -> None:
    first = task(
        due_at=DUE,
        recurrence=recurrence,
        priority="high",
        customer_id="c1",
        reminders=("PT1H", "2026-12-04T08:00:00Z"),
    )
    done, upcoming = complete(first, at=DUE - timedelta(hours=2))
    assert upcoming is not None
    assert done.next_task_id == upcoming.id == "t2"
    assert upcoming.previous_task_id == first.id
    assert upcoming.due_at == expected
    assert upcoming.status == TaskStatus.PENDING
    assert (upcoming.title, upcoming.priority, upcoming.customer_id, upcoming.assignee) == (
        first.title,
        first.priority,
        "c1",
        first.assignee,
    )
    assert upcoming.recurrence == recurrence
    # A reminder before the deadline stays one; an instant moves with the deadline.
    shift = expected - DUE
    assert [r.at for r in upcoming.reminders] == [
        expected - timedelta(hours=1),
        datetime(2026, 12, 4, 8, 0, tzinfo=UTC) + shift,
    ]
    assert upcoming.version == 1
    assert upcoming.last_entry.actor == BEN
    assert upcoming.comments == ()


def test_a_month_end_series_does_not_drift() -> None:
    recurrence = every(1, "months")
    anchor = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    assert [due_at(recurrence, anchor, n).date().isoformat() for n in range(4)] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
    ]


def test_a_task_done_late_skips_the_deadlines_already_past() -> None:
    first = task(due_at=DUE, recurrence=every(1, "weeks"))
    _, upcoming = complete(first, at=DUE + timedelta(days=16))
    assert upcoming is not None
    assert upcoming.due_at == DUE + timedelta(weeks=3)
    assert upcoming.series == Series(anchor=DUE, occurrence=3)


def test_a_monthly_task_done_late_skips_whole_months() -> None:
    recurrence = every(1, "months")
    series = Series(anchor=datetime(2027, 1, 31, tzinfo=UTC))
    occurrence, due = following(recurrence, series, after=datetime(2027, 3, 5, tzinfo=UTC))
    assert (occurrence, due) == (2, datetime(2027, 3, 31, tzinfo=UTC))


def test_the_series_goes_on_from_the_next_task() -> None:
    first = task(due_at=DUE, recurrence=every(10, "days"))
    _, second = complete(first, at=DUE)
    assert second is not None
    _, third = complete(second, at=second.due_at or DUE, next_id="t3")
    assert third is not None
    assert third.due_at == DUE + timedelta(days=20)
    assert third.previous_task_id == "t2"


def test_cancelling_ends_the_series() -> None:
    first = task(due_at=DUE, recurrence=every(1, "days"))
    cancelled, upcoming = first.moved_to(
        TaskStatus.CANCELLED, actor=ANNA, now=NOW, next_task_id="t2"
    )
    assert upcoming is None
    assert cancelled.next_task_id is None


def test_completing_again_after_reopening_makes_no_second_next_task() -> None:
    first = task(due_at=DUE, recurrence=every(1, "days"))
    done, _ = complete(first, at=NOW)
    reopened = done.reopened(None, actor=ANNA, now=NOW)
    again, upcoming = complete(reopened, at=NOW, next_id="t9")
    assert upcoming is None
    assert again.next_task_id == "t2"


def test_a_recurring_task_needs_a_deadline() -> None:
    with pytest.raises(InvalidInput) as refused:
        task(recurrence=every(1, "days"))
    assert refused.value.errors[0].field == "task.recurrence"
    created = task(due_at=DUE, recurrence=every(1, "days"))
    with pytest.raises(InvalidInput) as refused:
        created.changed(TaskPatch(), ("due_at",), actor=ANNA, now=NOW)
    assert refused.value.errors[0].field == "recurrence"


def test_moving_the_deadline_by_hand_starts_the_series_there() -> None:
    created = task(due_at=DUE, recurrence=every(1, "weeks"))
    moved = created.changed(TaskPatch(due_at=DUE + timedelta(days=2)), (), actor=ANNA, now=NOW)
    assert moved.series == Series(anchor=DUE + timedelta(days=2))
    _, upcoming = complete(moved, at=NOW)
    assert upcoming is not None
    assert upcoming.due_at == DUE + timedelta(days=9)
