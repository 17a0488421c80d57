"""Tasks and actors for the unit tests of the task rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.tasks.domain.task import Task
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import TaskDraft

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANNA = Actor(type=ActorType.SUPPORTER, id="anna")
BEN = Actor(type=ActorType.SUPPORTER, id="ben")


def task(now: datetime = NOW, actor: Actor = ANNA, **draft: Any) -> Task:
    draft.setdefault("title", "Call back about the refund")
    return Task.create(
        task_id="t1",
        draft=TaskDraft.model_validate(draft),
        customer_id=draft.get("customer_id"),
        actor=actor,
        now=now,
    )
