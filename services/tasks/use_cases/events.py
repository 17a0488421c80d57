"""What the rest of the suite hears about a change: the events its history entry stands for."""

from __future__ import annotations

from typing import Any

from services.tasks.domain.history import HistoryEntry
from services.tasks.domain.task import Task
from shared.contracts.customers import FieldChange
from shared.contracts.envelope import Event, Message
from shared.contracts.tasks import (
    TaskAction,
    TaskChanged,
    TaskCompleted,
    TaskCreated,
    TaskReassigned,
    TaskStatus,
    TaskStatusChanged,
)


def events_of(task: Task, cause: Message) -> list[Event]:
    """The events of the task's last change, caused by `cause` (same correlation, its actor).

    Comments and erasure are not announced: a comment's text stays in the tasks service, and an
    erasure is the customer service's own news.
    """
    entry = task.last_entry
    common: dict[str, Any] = {
        "task_id": task.id,
        "customer_id": task.customer_id,
        "version": task.version,
    }
    match entry.action:
        case TaskAction.CREATED:
            assert task.title is not None, "a new task has a title"
            return [
                cause.caused(
                    TaskCreated,
                    **common,
                    title=task.title,
                    assignee=task.assignee,
                    creator=task.creator,
                    due_at=task.due_at,
                    priority=task.priority,
                    previous_task_id=task.previous_task_id,
                )
            ]
        case TaskAction.CHANGED | TaskAction.CUSTOMER_MERGED:
            events: list[Event] = [
                cause.caused(TaskChanged, **common, changes=_field_changes(entry))
            ]
            return events + _reassignment(entry, cause, common)
        case TaskAction.REASSIGNED:
            return _reassignment(entry, cause, common)
        case TaskAction.STATUS_CHANGED if task.status == TaskStatus.COMPLETED:
            assert task.completed_at is not None
            return [
                cause.caused(
                    TaskCompleted,
                    **common,
                    completed_at=task.completed_at,
                    next_task_id=task.next_task_id,
                )
            ]
        case TaskAction.STATUS_CHANGED | TaskAction.REOPENED:
            status = entry.change_of("status")
            assert status is not None, "a status change records the status"
            return [
                cause.caused(
                    TaskStatusChanged,
                    **common,
                    before=status.before,
                    after=status.after,
                    reopened=entry.action == TaskAction.REOPENED,
                )
            ]
        case _:
            return []


def _field_changes(entry: HistoryEntry) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(field=c.field, before=c.before, after=c.after) for c in entry.changes)


def _reassignment(entry: HistoryEntry, cause: Message, common: dict[str, Any]) -> list[Event]:
    change = entry.change_of("assignee")
    if change is None:
        return []
    return [cause.caused(TaskReassigned, **common, before=change.before, after=change.after)]
