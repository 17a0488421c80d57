"""Alarms ring once, whatever the number of instances and crashes.

An alarm is not scheduled in memory. Every instance polls the alarm store and claims one due
alarm at a time with an atomic find-and-update that sets a lease (owner, expiry). The holder
then, in one transaction, marks the alarm rung (only while it still holds the lease) and writes
the event to the outbox, with the alarm's id as its `message_id`; the event is published after
the commit. An instance that dies holding a lease leaves the alarm to whoever claims it after the
lease ran out; one that dies after the commit leaves the event to the outbox relay. An event may
thus be published twice, never under two ids: consumers dedupe on the message id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from services.tasks.domain.reminders import AlarmKind
from services.tasks.domain.task import Task
from services.tasks.use_cases.ports import Alarms, ClaimedAlarm, Clock, Session, Tasks, Transactions
from shared.contracts.envelope import SYSTEM_ACTOR, Event
from shared.contracts.tasks import TaskOverdue, TaskReminderDue

log = logging.getLogger(__name__)


@dataclass
class AlarmRinging:
    alarms: Alarms
    tasks: Tasks
    transactions: Transactions
    clock: Clock
    # Who holds a lease: unique per running instance.
    owner: str
    lease: timedelta
    # Alarms taken per round before the poller lets others have a turn.
    batch: int = 100

    async def ring_due(self) -> int:
        """Ring the alarms due now; returns how many rang here."""
        rang = 0
        for _ in range(self.batch):
            claimed = await self.alarms.claim(owner=self.owner, now=self.clock(), lease=self.lease)
            if claimed is None:
                break
            rang += await self.ring(claimed)
        return rang

    async def ring(self, claimed: ClaimedAlarm) -> int:
        async def change(session: Session) -> list[Event]:
            task = await self.tasks.get(claimed.task_id, session=session)
            event = _event(task, claimed) if task is not None else None
            held = await self.alarms.settle(
                claimed.alarm.id,
                owner=self.owner,
                rang=event is not None,
                now=self.clock(),
                session=session,
            )
            if not held:
                log.info("alarm %s: lease lost, another instance rings it", claimed.alarm.id)
                return []
            return [event] if event is not None else []

        return await self.transactions.run(change)


def _event(task: Task, claimed: ClaimedAlarm) -> Event | None:
    """The event an alarm rings with; None if the task no longer wants it."""
    alarm = claimed.alarm
    if not task.is_open or alarm not in task.alarms:
        return None
    common = {
        "message_id": alarm.id,
        "correlation_id": task.id,
        "actor": SYSTEM_ACTOR,
        "task_id": task.id,
        "customer_id": task.customer_id,
        "assignee": task.assignee,
        "title": task.title,
    }
    if alarm.kind == AlarmKind.REMINDER:
        return TaskReminderDue(
            **common, reminder_id=alarm.id, remind_at=alarm.at, due_at=task.due_at
        )
    assert task.due_at is not None, "an overdue alert is armed only with a deadline"
    return TaskOverdue(**common, alert_id=alarm.id, due_at=task.due_at)
