"""Recurring tasks: every N days, weeks or months, counted from the first deadline.

Deadlines are counted from the series' first one (its anchor), not from the previous task, so
month ends do not drift: a series from 31 January is due 28 (or 29) February, then 31 March.
Completing a task creates the next one, due at the first deadline of the series after the
completion: a task done late does not leave a trail of already-overdue tasks behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import isodate

from services.tasks.domain.times import instant
from shared.contracts.tasks import Recurrence, RecurrenceUnit


@dataclass(frozen=True)
class Series:
    """Where a recurring task stands in its series."""

    anchor: datetime
    occurrence: int = 0
    previous_task_id: str | None = None


def _days(recurrence: Recurrence) -> int:
    return recurrence.every * (7 if recurrence.unit == RecurrenceUnit.WEEKS else 1)


def due_at(recurrence: Recurrence, anchor: datetime, occurrence: int) -> datetime:
    if recurrence.unit == RecurrenceUnit.MONTHS:
        shifted: datetime = anchor + isodate.Duration(months=recurrence.every * occurrence)
        return instant(shifted)
    return instant(anchor + timedelta(days=_days(recurrence) * occurrence))


def following(recurrence: Recurrence, series: Series, after: datetime) -> tuple[int, datetime]:
    """The first occurrence after `series.occurrence` that is due after `after`."""
    occurrence = series.occurrence + 1
    if recurrence.unit != RecurrenceUnit.MONTHS:
        # Skip ahead arithmetically: a daily series completed a year late is one step.
        step = timedelta(days=_days(recurrence))
        occurrence = max(occurrence, (after - series.anchor) // step)
    while (due := due_at(recurrence, series.anchor, occurrence)) <= after:
        occurrence += 1
    return occurrence, due
