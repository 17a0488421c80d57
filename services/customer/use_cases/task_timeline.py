"""Tasks about a customer join the customer's timeline (the tasks service owns the tasks).

Each task event that names a customer becomes one activity: created, reassigned, its status
changed, completed, a reminder due. The entry keeps the task's id and title (erasure scrubs the
details of the timeline like every other entry); the task itself stays in the tasks service.
An event delivered again finds its inbox entry and adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.customer.use_cases.ports import reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import FieldChange
from shared.contracts.tasks import (
    TaskCompleted,
    TaskCreated,
    TaskReassigned,
    TaskReminderDue,
    TaskStatusChanged,
)
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Ref
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

log = logging.getLogger(__name__)

TaskEvent = TaskCreated | TaskReassigned | TaskStatusChanged | TaskCompleted | TaskReminderDue


@dataclass
class TaskTimeline:
    unit: ChangeRunner
    changes: Changes
    clock: Clock

    async def record(self, event: TaskEvent) -> Ref:
        if event.customer_id is None:
            return {}
        customer_id = event.customer_id

        async def change(session: Session) -> Outcome[Ref]:
            # A task about a customer merged away belongs to the master now.
            customer = await self.changes.customers.resolve(customer_id, session=session)
            if customer is None:
                log.warning(
                    "task event %s is about unknown customer %s; not in any timeline",
                    event.message_id,
                    customer_id,
                )
                return Outcome.kept({})
            kind, changes, details = _entry(event)
            await self.changes.record(
                customer.id,
                message=event,
                kind=kind,
                at=self.clock(),
                session=session,
                changes=changes,
                source={"channel": "tasks", "task_id": event.task_id},
                details=details,
            )
            return Outcome.kept(reference(customer_id=customer.id))

        return await self.unit.run(event, change)


def _entry(event: TaskEvent) -> tuple[ActivityKind, tuple[FieldChange, ...], dict[str, Any]]:
    """The activity kind, field changes and details of a task event."""
    match event:
        case TaskCreated():
            details: dict[str, Any] = {
                "title": event.title,
                "assignee": event.assignee,
                "priority": event.priority.value,
                "due_at": event.due_at.isoformat() if event.due_at else None,
            }
            return ActivityKind.TASK_CREATED, (), details
        case TaskReassigned():
            change = FieldChange(field="task.assignee", before=event.before, after=event.after)
            return ActivityKind.TASK_REASSIGNED, (change,), {}
        case TaskStatusChanged():
            change = FieldChange(
                field="task.status", before=event.before.value, after=event.after.value
            )
            return ActivityKind.TASK_STATUS_CHANGED, (change,), {"reopened": event.reopened}
        case TaskCompleted():
            details = {"completed_at": event.completed_at.isoformat()}
            if event.next_task_id:
                details["next_task_id"] = event.next_task_id
            return ActivityKind.TASK_COMPLETED, (), details
        case TaskReminderDue():
            details = {
                "title": event.title,
                "assignee": event.assignee,
                "remind_at": event.remind_at.isoformat(),
            }
            return ActivityKind.TASK_REMINDER_DUE, (), details
