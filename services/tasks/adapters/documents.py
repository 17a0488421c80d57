"""A task as a MongoDB document and back.

Besides the task itself a document carries what the store sorts and filters by: `due_sort`
(the deadline, or the far future for a task without one, so those come last) and
`priority_rank` (0 = urgent, so "most urgent first" is an ascending sort).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.tasks.domain.history import Change, HistoryEntry
from services.tasks.domain.notifications import Notification
from services.tasks.domain.recurrence import Series
from services.tasks.domain.reminders import Alarm, AlarmKind, Reminder
from services.tasks.domain.task import Comment, Task
from shared.contracts.envelope import Actor
from shared.contracts.tasks import Recurrence, TaskAction, TaskPriority, TaskStatus
from shared.mongo import Document

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
PRIORITY_RANK = {
    TaskPriority.URGENT: 0,
    TaskPriority.HIGH: 1,
    TaskPriority.NORMAL: 2,
    TaskPriority.LOW: 3,
}


def task_document(task: Task) -> Document:
    return {
        "_id": task.id,
        "title": task.title,
        "description": task.description,
        "customer_id": task.customer_id,
        "assignee": task.assignee,
        "creator": task.creator,
        "due_at": task.due_at,
        "due_sort": task.due_at or NO_DEADLINE,
        "priority": task.priority.value,
        "priority_rank": PRIORITY_RANK[task.priority],
        "status": task.status.value,
        "next_action": task.next_action,
        "reminders": [{"spec": r.spec, "at": r.at} for r in task.reminders],
        "recurrence": task.recurrence.model_dump(mode="json") if task.recurrence else None,
        "series": (
            {"anchor": task.series.anchor, "occurrence": task.series.occurrence}
            if task.series
            else None
        ),
        "previous_task_id": task.previous_task_id,
        "next_task_id": task.next_task_id,
        "comments": [
            {"id": c.id, "author": _actor(c.author), "at": c.at, "text": c.text}
            for c in task.comments
        ],
        "alarms": [{"id": a.id, "kind": a.kind.value, "at": a.at} for a in task.alarms],
        "history": [
            {
                "at": e.at,
                "actor": _actor(e.actor),
                "action": e.action.value,
                "version": e.version,
                "changes": [
                    {"field": c.field, "before": c.before, "after": c.after} for c in e.changes
                ],
            }
            for e in task.history
        ],
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "completed_at": task.completed_at,
        "erased_at": task.erased_at,
        "version": task.version,
    }


def task_of(doc: Document) -> Task:
    """The task of a document; one read without its history has an empty one."""
    series = doc.get("series")
    return Task(
        id=doc["_id"],
        title=doc["title"],
        description=doc.get("description"),
        customer_id=doc.get("customer_id"),
        assignee=doc["assignee"],
        creator=doc["creator"],
        due_at=doc.get("due_at"),
        priority=TaskPriority(doc["priority"]),
        status=TaskStatus(doc["status"]),
        next_action=doc.get("next_action"),
        reminders=tuple(Reminder(spec=r["spec"], at=r["at"]) for r in doc.get("reminders", ())),
        recurrence=Recurrence.model_validate(doc["recurrence"]) if doc.get("recurrence") else None,
        series=Series(anchor=series["anchor"], occurrence=series["occurrence"]) if series else None,
        previous_task_id=doc.get("previous_task_id"),
        next_task_id=doc.get("next_task_id"),
        comments=tuple(
            Comment(
                id=c["id"], author=Actor.model_validate(c["author"]), at=c["at"], text=c["text"]
            )
            for c in doc.get("comments", ())
        ),
        alarms=tuple(
            Alarm(id=a["id"], kind=AlarmKind(a["kind"]), at=a["at"]) for a in doc.get("alarms", ())
        ),
        history=tuple(_entry(e) for e in doc.get("history", ())),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        completed_at=doc.get("completed_at"),
        erased_at=doc.get("erased_at"),
        version=doc["version"],
    )


def notification_document(notification: Notification) -> Document:
    return {
        "_id": notification.id,
        "recipient": notification.recipient,
        "task_id": notification.task_id,
        "kind": notification.kind.value,
        "at": notification.at,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def notification_of(doc: Document) -> Notification:
    return Notification(
        id=doc["_id"],
        recipient=doc["recipient"],
        task_id=doc["task_id"],
        kind=AlarmKind(doc["kind"]),
        at=doc["at"],
        created_at=doc["created_at"],
        read_at=doc.get("read_at"),
    )


def _actor(actor: Actor) -> dict[str, Any]:
    return actor.model_dump(mode="json")


def _entry(doc: Document) -> HistoryEntry:
    return HistoryEntry(
        at=doc["at"],
        actor=Actor.model_validate(doc["actor"]),
        action=TaskAction(doc["action"]),
        version=doc["version"],
        changes=tuple(Change(c["field"], c.get("before"), c.get("after")) for c in doc["changes"]),
    )
