"""A task's own history: who changed what and when, with the values before and after."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared.contracts.envelope import Actor
from shared.contracts.tasks import TaskAction

# Text a person wrote about the customer: gone from the task and its history on erasure.
PERSONAL_FIELDS = frozenset({"title", "description", "next_action", "reason"})


@dataclass(frozen=True)
class Change:
    field: str
    # JSON-compatible values, or datetimes.
    before: Any = None
    after: Any = None

    def without_personal_text(self) -> Change:
        if self.field not in PERSONAL_FIELDS:
            return self
        return replace(self, before=None, after=None)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: Actor
    action: TaskAction
    version: int
    changes: tuple[Change, ...] = ()

    def change_of(self, field: str) -> Change | None:
        return next((c for c in self.changes if c.field == field), None)

    def without_personal_text(self) -> HistoryEntry:
        return replace(self, changes=tuple(c.without_personal_text() for c in self.changes))
