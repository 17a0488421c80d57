"""Reminder times from ISO 8601 instants and durations before the deadline, and which ring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.domain.reminders import AlarmKind, reminder_at, reminders
from shared.contracts.tasks import TaskPatch, TaskStatus
from shared.errors import InvalidInput
from tests.unit.tasks.drafts import ANNA, NOW, task

DUE = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("PT1H", DUE - timedelta(hours=1)),
        ("pt15m", DUE - timedelta(minutes=15)),
        ("P1D", DUE - timedelta(days=1)),
        ("P1W", DUE - timedelta(weeks=1)),
        ("P1M", datetime(2026, 11, 10, 17, 0, tzinfo=UTC)),
        ("P1DT2H", DUE - timedelta(days=1, hours=2)),
        ("PT0S", DUE),
        ("2026-12-09T08:30:00Z", datetime(2026, 12, 9, 8, 30, tzinfo=UTC)),
        ("2026-12-09T09:30:00+01:00", datetime(2026, 12, 9, 8, 30, tzinfo=UTC)),
    ],
)
def test_a_reminder_rings_at_an_instant_or_a_duration_before_the_deadline(
    spec: str, expected: datetime
) -> None:
    assert reminder_at(spec, DUE) == expected


def test_a_month_before_the_end_of_march_is_the_end_of_february() -> None:
    assert reminder_at("P1M", datetime(2027, 3, 31, tzinfo=UTC)) == datetime(
        2027, 2, 28, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("spec", "due", "message"),
    [
        ("PT1H", None, "needs a due_at"),
        ("-PT1H", DUE, "before the deadline, not after"),
        ("PXYZ", DUE, "not an ISO 8601 duration"),
        ("2026-12-09T08:30:00", DUE, "needs its zone"),
        ("tomorrow", DUE, "neither an ISO 8601 instant nor"),
        ("P999999999D", DUE, "out of the range of dates"),
        ("P5000Y", DUE, "out of the range of dates"),
        ("9999-12-31T23:00:00-05:00", DUE, "out of the range of dates"),
    ],
)
def test_a_reminder_that_cannot_be_read_is_refused(
    spec: str, due: datetime | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        reminder_at(spec, due)


def test_every_unreadable_reminder_is_named_by_its_place() -> None:
    with pytest.raises(InvalidInput) as refused:
        reminders(["PT1H", "soon", "P1D", "later"], DUE, field="task.reminders")
    assert [e.field for e in refused.value.errors] == ["task.reminders.1", "task.reminders.3"]


def test_a_new_task_arms_its_reminders_ahead_and_the_overdue_alert() -> None:
    created = task(due_at=DUE, reminders=("P1D", "2026-11-30T09:00:00Z", "PT1H"))
    assert [(a.kind, a.at) for a in created.alarms] == [
        (AlarmKind.REMINDER, DUE - timedelta(days=1)),
        (AlarmKind.REMINDER, DUE - timedelta(hours=1)),
        (AlarmKind.OVERDUE, DUE),
    ]
    # The reminder already past when it was set is kept on the task, but never rings.
    assert [r.spec for r in created.reminders] == ["P1D", "2026-11-30T09:00:00Z", "PT1H"]
    assert len({a.id for a in created.alarms}) == 3


def test_a_task_without_deadline_has_no_overdue_alert() -> None:
    created = task(reminders=("2026-12-02T09:00:00Z",))
    assert [a.kind for a in created.alarms] == [AlarmKind.REMINDER]


def test_moving_the_deadline_arms_new_alarms_under_new_ids() -> None:
    created = task(due_at=DUE, reminders=("PT1H",))
    later = DUE + timedelta(days=2)
    moved = created.changed(TaskPatch(due_at=later), (), actor=ANNA, now=NOW)
    assert [a.at for a in moved.alarms] == [later - timedelta(hours=1), later]
    assert not {a.id for a in moved.alarms} & {a.id for a in created.alarms}
    assert moved.reminders[0].at == later - timedelta(hours=1)


def test_a_change_of_something_else_keeps_the_armed_alarms() -> None:
    created = task(due_at=DUE, reminders=("PT1H",))
    renamed = created.changed(TaskPatch(title="Call back"), (), actor=ANNA, now=NOW)
    assert renamed.alarms == created.alarms


def test_finishing_disarms_and_reopening_rearms_what_is_still_ahead() -> None:
    created = task(due_at=DUE, reminders=("P1D", "PT1H"))
    done, _ = created.moved_to(TaskStatus.COMPLETED, actor=ANNA, now=NOW, next_task_id="n")
    assert done.alarms == ()
    # Reopened after the first reminder's time: only the second and the alert ring again.
    reopened = done.reopened(None, actor=ANNA, now=DUE - timedelta(hours=5))
    assert [a.at for a in reopened.alarms] == [DUE - timedelta(hours=1), DUE]
    assert not {a.id for a in reopened.alarms} & {a.id for a in created.alarms}


def test_clearing_the_deadline_of_a_task_with_relative_reminders_is_refused() -> None:
    created = task(due_at=DUE, reminders=("PT1H",))
    with pytest.raises(InvalidInput) as refused:
        created.changed(TaskPatch(), ("due_at",), actor=ANNA, now=NOW)
    assert refused.value.errors[0].field == "reminders.0"


def test_starting_work_keeps_the_alarms() -> None:
    created = task(due_at=DUE, reminders=("PT1H",))
    started, _ = created.moved_to(TaskStatus.IN_PROGRESS, actor=ANNA, now=NOW, next_task_id="n")
    assert started.alarms == created.alarms


def test_times_are_kept_in_utc_to_the_millisecond() -> None:
    created = task(due_at=datetime(2026, 12, 10, 18, 0, 0, 123456, tzinfo=UTC))
    assert created.due_at == datetime(2026, 12, 10, 18, 0, 0, 123000, tzinfo=UTC)
