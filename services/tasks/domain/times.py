"""Points in time as a task keeps them: in UTC, to the millisecond (what the store keeps)."""

from __future__ import annotations

from datetime import UTC, datetime


def instant(moment: datetime) -> datetime:
    """`moment` in UTC, cut to the millisecond, so a stored time reads back equal."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
