"""What reaches an assignee when an alarm of their task rings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.tasks.domain.reminders import AlarmKind


@dataclass(frozen=True)
class Notification:
    # The alarm's id: one alarm, one notification, however often its event arrives.
    id: str
    recipient: str
    task_id: str
    kind: AlarmKind
    # When the reminder or the deadline was.
    at: datetime
    created_at: datetime
    read_at: datetime | None = None
