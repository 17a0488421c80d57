"""Reminders and the overdue alert: when they ring, and which of them are armed.

A reminder is given as an ISO 8601 instant with its zone ("2026-12-01T09:00:00+01:00") or as an
ISO 8601 duration before the deadline ("PT1H", "P1D", "P1M"); durations are read with `isodate`,
which knows months and years as calendar units. An open task arms its reminders whose time is
still ahead and, with a deadline ahead, the overdue alert at the deadline. Each armed alarm has
an id of its own (the task's id, the version that armed it, its place): it becomes the
`message_id` of the event it rings with, so consumers deduplicating on message ids act on each
once. Changing the deadline or the reminders, or reopening, arms a new set under new ids; the
earlier ones that have not rung are disarmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import isodate

from services.tasks.domain.times import instant
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput


class AlarmKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    spec: str
    at: datetime


@dataclass(frozen=True)
class Alarm:
    id: str
    kind: AlarmKind
    at: datetime


def is_duration(spec: str) -> bool:
    return spec.lstrip("+-").upper().startswith("P")


def reminder_at(spec: str, due_at: datetime | None) -> datetime:
    """When the reminder `spec` rings; ValueError says why it cannot be read."""
    try:
        return _reminder_at(spec, due_at)
    except OverflowError as error:
        raise ValueError(f"out of the range of dates: {spec!r}") from error


def _reminder_at(spec: str, due_at: datetime | None) -> datetime:
    if is_duration(spec):
        try:
            before: timedelta | isodate.Duration = isodate.parse_duration(spec.upper())
        except (isodate.ISO8601Error, ValueError) as error:
            raise ValueError(f"not an ISO 8601 duration: {spec!r}") from error
        if due_at is None:
            raise ValueError("a reminder before the deadline needs a due_at")
        try:
            at: datetime = due_at - before
        except ValueError as error:  # isodate's calendar arithmetic past year 1
            raise ValueError(f"out of the range of dates: {spec!r}") from error
        if at > due_at:
            raise ValueError("a reminder rings before the deadline, not after it")
        return instant(at)
    try:
        moment: datetime = isodate.parse_datetime(spec)
    except (isodate.ISO8601Error, ValueError) as error:
        raise ValueError(
            f"neither an ISO 8601 instant nor an ISO 8601 duration: {spec!r}"
        ) from error
    if moment.tzinfo is None:
        raise ValueError("an instant needs its zone (Z or +hh:mm)")
    return instant(moment)


def reminders(specs: Sequence[str], due_at: datetime | None, *, field: str) -> tuple[Reminder, ...]:
    """Every spec read, or InvalidInput naming each one that cannot be (`reminders.1`)."""
    read: list[Reminder] = []
    errors: list[FieldError] = []
    for index, spec in enumerate(specs):
        try:
            read.append(Reminder(spec=spec, at=reminder_at(spec, due_at)))
        except ValueError as error:
            errors.append(FieldError(field=f"{field}.{index}", message=str(error)))
    if errors:
        raise InvalidInput(errors)
    return tuple(read)


def arm(
    task_id: str,
    version: int,
    planned: Sequence[Reminder],
    due_at: datetime | None,
    now: datetime,
) -> tuple[Alarm, ...]:
    """The alarms an open task sets at `version`: only those whose time is still ahead."""
    alarms = [
        Alarm(id=f"{task_id}.{version}.r{index}", kind=AlarmKind.REMINDER, at=reminder.at)
        for index, reminder in enumerate(planned)
        if reminder.at > now
    ]
    if due_at is not None and due_at > now:
        alarms.append(Alarm(id=f"{task_id}.{version}.due", kind=AlarmKind.OVERDUE, at=due_at))
    return tuple(alarms)
