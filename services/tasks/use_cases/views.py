"""Tasks, their history and notifications as the callers see them."""

from __future__ import annotations

from datetime import datetime

from services.tasks.domain.history import HistoryEntry
from services.tasks.domain.notifications import Notification
from services.tasks.domain.task import Task
from shared.contracts.customers import FieldChange
from shared.contracts.tasks import (
    CommentView,
    HistoryEntryView,
    NotificationKind,
    NotificationView,
    ReminderView,
    TaskView,
)


def task_view(task: Task, now: datetime) -> TaskView:
    return TaskView(
        id=task.id,
        title=task.title,
        description=task.description,
        customer_id=task.customer_id,
        assignee=task.assignee,
        creator=task.creator,
        due_at=task.due_at,
        priority=task.priority,
        status=task.status,
        overdue=task.overdue(now),
        next_action=task.next_action,
        reminders=tuple(ReminderView(spec=r.spec, at=r.at) for r in task.reminders),
        recurrence=task.recurrence,
        previous_task_id=task.previous_task_id,
        next_task_id=task.next_task_id,
        comments=tuple(
            CommentView(id=c.id, author=c.author, at=c.at, text=c.text) for c in task.comments
        ),
        created_at=task.created_at,
        updated_at=task.updated_at,
        completed_at=task.completed_at,
        erased_at=task.erased_at,
        version=task.version,
    )


def history_view(entry: HistoryEntry) -> HistoryEntryView:
    return HistoryEntryView(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        version=entry.version,
        changes=tuple(
            FieldChange(field=c.field, before=c.before, after=c.after) for c in entry.changes
        ),
    )


def notification_view(notification: Notification, task: Task | None) -> NotificationView:
    return NotificationView(
        id=notification.id,
        kind=NotificationKind(notification.kind.value),
        task_id=notification.task_id,
        title=task.title if task else None,
        customer_id=task.customer_id if task else None,
        due_at=task.due_at if task else None,
        at=notification.at,
        read_at=notification.read_at,
    )
