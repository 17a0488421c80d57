"""Alarms ring once, whatever the number of instances and crashes.

An alarm is not scheduled in memory. Every instance polls the alarm store and claims one due
alarm at a time with an atomic find-and-update that sets a lease (owner, expiry). The holder
then rings it: in one transaction, unless the alarm's id is already recorded as rung, it records
it and writes the event to the outbox with the alarm's id as `message_id`; the event is
published after the commit, and the alarm marked settled so nobody claims it again.

An instance that dies holding a lease leaves the alarm to whoever claims it after the lease ran
out. One that dies inside the transaction leaves the database holding that transaction until
the server gives it up (60 s by default, in MongoDB and SecantusDB alike): ringing that one
alarm waits for that, so each ringing gets at most the lease's time and the clock moves on to
the next alarm meanwhile. One that dies after the commit leaves the event to the outbox relay
and the alarm to a later claim, which finds it rung. An event may thus be published twice,
never under two ids: consumers dedupe on the message id.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from services.tasks.domain.reminders import AlarmKind
from services.tasks.domain.task import Task
from services.tasks.use_cases.ports import Alarms, ClaimedAlarm, Clock, OnceOnly, Session, Tasks
from shared.contracts.envelope import SYSTEM_ACTOR, Event
from shared.contracts.tasks import TaskOverdue, TaskReminderDue

log = logging.getLogger(__name__)


@dataclass
class AlarmRinging:
    alarms: Alarms
    tasks: Tasks
    once: OnceOnly
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
            try:
                rang += await asyncio.wait_for(self.ring(claimed), self.lease.total_seconds())
            except TimeoutError:
                log.warning(
                    "alarm %s did not ring within its lease; it is claimed again later",
                    claimed.alarm.id,
                )
        return rang

    async def ring(self, claimed: ClaimedAlarm) -> int:
        """Ring a claimed alarm (at most once, however often it is claimed); 1 if it rang now."""
        rang_now = False

        async def change(session: Session) -> list[Event]:
            nonlocal rang_now
            task = await self.tasks.get(claimed.task_id, session=session)
            event = _event(task, claimed) if task is not None else None
            rang_now = event is not None
            return [event] if event is not None else []

        events = await self.once.run(claimed.alarm.id, change)
        await self.alarms.settle(claimed.alarm.id, rang=events > 0, now=self.clock())
        return 1 if rang_now and events else 0


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
