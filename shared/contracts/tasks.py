"""Follow-up tasks on customers: what the tasks service accepts, answers and reports.

A task has an assignee and a creator, both principals (an API key's id or a person's id, as the
envelope's actor names them). Changes are commands sent over request/reply, because the caller
must hear the outcome: the changed task with its `version` (for `If-Match`), or a problem that
names the field or the transition at fault. Reminders and overdue alerts are events whose
`message_id` is the reminder's own id, so a consumer that dedupes on message ids acts on each
once. Every event about a task names its customer as `customer_id` (None when the task is about
no customer), which is how an erasure finds the events that carried the customer's data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.customers import FieldChange
from shared.contracts.envelope import NOT_BLANK, Actor, Command, Contract, Event, Query

Id = Annotated[str, Field(min_length=1, max_length=64)]
# As long as an actor's id may be: the assignee of a task is whoever an actor can be.
Principal = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Description = Annotated[str, Field(max_length=5000)]
NextAction = Annotated[str, Field(max_length=500)]
CommentText = Annotated[str, Field(min_length=1, max_length=5000)]
# An ISO 8601 instant with its zone ("2026-12-01T09:00:00+01:00"), or an ISO 8601 duration
# before the deadline ("PT1H", "P1D"); the tasks service reads and checks it.
ReminderSpec = Annotated[str, Field(min_length=3, max_length=64)]
# Bounded, so that reminders before it and the deadlines of its series stay real dates. JSON
# Schema has no bound for a date-time: the document states the years (a date-time's first
# characters), so that a client is not told a year 113 would do.
Deadline = Annotated[
    AwareDatetime,
    Field(
        ge=datetime(1900, 1, 1, tzinfo=UTC),
        lt=datetime(3000, 1, 1, tzinfo=UTC),
        json_schema_extra={"pattern": "^(19|2[0-9])[0-9]{2}-"},
    ),
]
Cursor = Annotated[str, Field(max_length=500)]
Limit = Annotated[int, Field(ge=1, le=200)]
MAX_REMINDERS = 10


class TaskPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


class RecurrenceUnit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class Recurrence(Contract):
    """Every `every` days, weeks or months from the first deadline: completing a task of the
    series creates the next one."""

    every: Annotated[int, Field(ge=1, le=366)]
    unit: RecurrenceUnit


# --- commands -------------------------------------------------------------------------------


class TaskDraft(Contract):
    """A new task; without an assignee it is the creator's."""

    title: Title
    description: Description | None = None
    customer_id: Id | None = None
    assignee: Principal | None = None
    due_at: Deadline | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    next_action: NextAction | None = None
    reminders: tuple[ReminderSpec, ...] = Field((), max_length=MAX_REMINDERS)
    # Needs a deadline: the series counts from it.
    recurrence: Recurrence | None = None


class TaskPatch(Contract):
    """Values to set; `reminders` replaces the whole list."""

    title: Title | None = None
    description: Description | None = None
    customer_id: Id | None = None
    assignee: Principal | None = None
    due_at: Deadline | None = None
    priority: TaskPriority | None = None
    next_action: NextAction | None = None
    reminders: tuple[ReminderSpec, ...] | None = Field(None, max_length=MAX_REMINDERS)
    recurrence: Recurrence | None = None


ClearableTaskField = Literal[
    "description", "customer_id", "due_at", "next_action", "reminders", "recurrence"
]


class CreateTask(Command):
    type: Literal["task.create.v1"] = "task.create.v1"
    task: TaskDraft


class ChangeTask(Command):
    type: Literal["task.change.v1"] = "task.change.v1"
    task_id: Id
    set: TaskPatch = Field(default_factory=TaskPatch)
    clear: tuple[ClearableTaskField, ...] = ()
    # Optimistic concurrency (`If-Match`): refuse the change if the task is no longer at this
    # version.
    expected_version: int | None = Field(None, ge=1)


class ReassignTask(Command):
    type: Literal["task.reassign.v1"] = "task.reassign.v1"
    task_id: Id
    assignee: Principal
    expected_version: int | None = Field(None, ge=1)


class ChangeTaskStatus(Command):
    """Move a task along an allowed transition; a finished task is reopened with `ReopenTask`."""

    type: Literal["task.status.change.v1"] = "task.status.change.v1"
    task_id: Id
    status: TaskStatus
    expected_version: int | None = Field(None, ge=1)


class ReopenTask(Command):
    """Bring a completed or cancelled task back to `pending`: recorded as a reopening."""

    type: Literal["task.reopen.v1"] = "task.reopen.v1"
    task_id: Id
    reason: Annotated[str, Field(max_length=500)] | None = None
    expected_version: int | None = Field(None, ge=1)


class CommentOnTask(Command):
    type: Literal["task.comment.v1"] = "task.comment.v1"
    task_id: Id
    text: CommentText


class MarkNotificationsRead(Command):
    """Mark the actor's own notifications read; others' ids are left alone."""

    type: Literal["task.notifications.mark_read.v1"] = "task.notifications.mark_read.v1"
    notification_ids: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = Field(
        min_length=1, max_length=200
    )


# --- queries --------------------------------------------------------------------------------


class GetTask(Query):
    type: Literal["task.get.v1"] = "task.get.v1"
    task_id: Id


class GetTaskHistory(Query):
    """The task's own changes, newest first."""

    type: Literal["task.history.v1"] = "task.history.v1"
    task_id: Id
    limit: Limit = 50
    cursor: Cursor | None = None


class TaskSort(StrEnum):
    # Earliest deadline first; tasks without a deadline last.
    DEADLINE = "deadline"
    # Most urgent first, then by deadline.
    PRIORITY = "priority"
    CREATED_AT = "created_at"


class FindTasks(Query):
    """A page of tasks matching all given filters, in a stable order."""

    type: Literal["task.find.v1"] = "task.find.v1"
    assignee: Principal | None = None
    status: tuple[TaskStatus, ...] = ()
    priority: tuple[TaskPriority, ...] = ()
    customer_id: Id | None = None
    # True: open and past the deadline; False: anything else.
    overdue: bool | None = None
    # A deadline before `due_before`, and at or after `due_after`.
    due_before: Deadline | None = None
    due_after: Deadline | None = None
    sort: TaskSort = TaskSort.DEADLINE
    descending: bool = False
    limit: Limit = 50
    cursor: Cursor | None = None


class GetCustomerTasks(Query):
    """A customer's open tasks, earliest deadline first."""

    type: Literal["task.customer_open.v1"] = "task.customer_open.v1"
    customer_id: Id
    limit: Limit = 50
    cursor: Cursor | None = None


class ListNotifications(Query):
    """The actor's own notifications, newest first."""

    type: Literal["task.notifications.list.v1"] = "task.notifications.list.v1"
    unread_only: bool = False
    limit: Limit = 50
    cursor: Cursor | None = None


class GetTaskReport(Query):
    """Open tasks per assignee and priority, overdue count, median time to completion."""

    type: Literal["task.report.v1"] = "task.report.v1"
    # The median counts tasks completed since then (default: the last 90 days).
    completed_since: AwareDatetime | None = None


# --- what the tasks service answers --------------------------------------------------------


class ReminderView(Contract):
    spec: str
    # When it rings; one whose time had passed when it was set does not ring.
    at: AwareDatetime


class CommentView(Contract):
    id: str
    author: Actor
    at: AwareDatetime
    # None once the customer the task is about was erased.
    text: str | None = None


class TaskView(Contract):
    id: str
    # None once the customer the task is about was erased (as are description, next action and
    # comment texts); who did what and when stays.
    title: str | None
    description: str | None = None
    customer_id: str | None = None
    assignee: str
    creator: str
    due_at: AwareDatetime | None = None
    priority: TaskPriority
    status: TaskStatus
    overdue: bool = False
    next_action: str | None = None
    reminders: tuple[ReminderView, ...] = ()
    recurrence: Recurrence | None = None
    # The series a recurring task belongs to: the task before this one, and the one after.
    previous_task_id: str | None = None
    next_task_id: str | None = None
    comments: tuple[CommentView, ...] = ()
    created_at: AwareDatetime
    updated_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    erased_at: AwareDatetime | None = None
    version: int


class TaskPage(Contract):
    items: tuple[TaskView, ...]
    next_cursor: str | None = None


class TaskAction(StrEnum):
    """What a history entry records."""

    CREATED = "created"
    CHANGED = "changed"
    REASSIGNED = "reassigned"
    STATUS_CHANGED = "status_changed"
    REOPENED = "reopened"
    COMMENTED = "commented"
    # The customer was merged into another: the task now belongs to the master.
    CUSTOMER_MERGED = "customer_merged"
    # The customer was erased: the task's personal text is gone.
    ERASED = "erased"


class HistoryEntryView(Contract):
    at: AwareDatetime
    actor: Actor
    action: TaskAction
    changes: tuple[FieldChange, ...] = ()
    version: int


class TaskHistoryPage(Contract):
    task_id: str
    items: tuple[HistoryEntryView, ...]
    next_cursor: str | None = None


class NotificationKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"


class NotificationView(Contract):
    id: str
    kind: NotificationKind
    task_id: str
    # The task as it is now (None once erased).
    title: str | None = None
    customer_id: str | None = None
    due_at: AwareDatetime | None = None
    # When the reminder or the deadline was.
    at: AwareDatetime
    read_at: AwareDatetime | None = None


class NotificationPage(Contract):
    items: tuple[NotificationView, ...]
    unread: int
    next_cursor: str | None = None


class NotificationsMarked(Contract):
    marked: int


class OpenTaskCount(Contract):
    assignee: str
    priority: TaskPriority
    count: int


class TaskReport(Contract):
    open: tuple[OpenTaskCount, ...]
    open_total: int
    overdue: int
    completed: int
    completed_since: AwareDatetime
    # From creation to completion, over the tasks completed since `completed_since`.
    median_completion_s: float | None = None
    generated_at: AwareDatetime


# --- events ---------------------------------------------------------------------------------


class TaskCreated(Event):
    type: Literal["task.created.v1"] = "task.created.v1"
    task_id: str
    customer_id: str | None = None
    title: str
    assignee: str
    creator: str
    due_at: AwareDatetime | None = None
    priority: TaskPriority
    # Set when completing a recurring task created this one.
    previous_task_id: str | None = None
    version: int


class TaskChanged(Event):
    type: Literal["task.changed.v1"] = "task.changed.v1"
    task_id: str
    customer_id: str | None = None
    changes: tuple[FieldChange, ...] = Field(min_length=1)
    version: int


class TaskReassigned(Event):
    type: Literal["task.reassigned.v1"] = "task.reassigned.v1"
    task_id: str
    customer_id: str | None = None
    before: str
    after: str
    version: int


class TaskStatusChanged(Event):
    """Any move of the status but completion (that is `TaskCompleted`)."""

    type: Literal["task.status_changed.v1"] = "task.status_changed.v1"
    task_id: str
    customer_id: str | None = None
    before: TaskStatus
    after: TaskStatus
    reopened: bool = False
    version: int


class TaskCompleted(Event):
    type: Literal["task.completed.v1"] = "task.completed.v1"
    task_id: str
    customer_id: str | None = None
    completed_at: AwareDatetime
    # The next task of a recurring series, created by this completion.
    next_task_id: str | None = None
    version: int


class TaskReminderDue(Event):
    """A reminder's time has come; `message_id` is the reminder's id."""

    type: Literal["task.reminder_due.v1"] = "task.reminder_due.v1"
    task_id: str
    reminder_id: str
    customer_id: str | None = None
    assignee: str
    title: str | None = None
    remind_at: AwareDatetime
    due_at: AwareDatetime | None = None


class TaskOverdue(Event):
    """An open task passed its deadline; `message_id` is the alert's id."""

    type: Literal["task.overdue.v1"] = "task.overdue.v1"
    task_id: str
    alert_id: str
    customer_id: str | None = None
    assignee: str
    title: str | None = None
    due_at: AwareDatetime
