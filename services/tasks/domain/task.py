"""A follow-up task and every change it allows.

A task is immutable: each change returns the task as it is afterwards, one version higher, with
one more entry in its history (who, when, what before and after). A change that changes nothing
returns the task as it was, so a request sent twice is not recorded twice. Finished tasks are
never deleted; an erased customer's tasks lose their text but keep their history of who did
what and when.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.tasks.domain import recurrence as series_rules
from services.tasks.domain.history import PERSONAL_FIELDS, Change, HistoryEntry
from services.tasks.domain.recurrence import Series
from services.tasks.domain.reminders import Alarm, Reminder, arm, is_duration, reminders
from services.tasks.domain.status import (
    COMPLETED,
    REOPENED_AS,
    check_reopen,
    check_transition,
    is_open,
)
from services.tasks.domain.times import instant
from shared.contracts.envelope import Actor
from shared.contracts.replies import FieldError
from shared.contracts.tasks import (
    Recurrence,
    TaskAction,
    TaskDraft,
    TaskPatch,
    TaskPriority,
    TaskStatus,
)
from shared.errors import Conflict, InvalidInput, StaleVersion, field_error

# A task is one document: its comments must not grow without bound.
MAX_COMMENTS = 500
# What a change may set, in the order a history entry lists it.
CHANGEABLE = (
    "title",
    "description",
    "customer_id",
    "assignee",
    "due_at",
    "priority",
    "next_action",
    "reminders",
    "recurrence",
)


@dataclass(frozen=True)
class Comment:
    id: str
    author: Actor
    at: datetime
    # None once the customer was erased.
    text: str | None


@dataclass(frozen=True)
class Task:
    id: str
    # None once the customer was erased.
    title: str | None
    assignee: str
    creator: str
    priority: TaskPriority
    status: TaskStatus
    created_at: datetime
    updated_at: datetime
    version: int
    description: str | None = None
    customer_id: str | None = None
    due_at: datetime | None = None
    next_action: str | None = None
    reminders: tuple[Reminder, ...] = ()
    recurrence: Recurrence | None = None
    series: Series | None = None
    previous_task_id: str | None = None
    next_task_id: str | None = None
    comments: tuple[Comment, ...] = ()
    # Armed at the last change that set them; which of them rang, the alarm store knows.
    alarms: tuple[Alarm, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    completed_at: datetime | None = None
    erased_at: datetime | None = None

    # --- reading ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return is_open(self.status)

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < now

    @property
    def last_entry(self) -> HistoryEntry:
        return self.history[-1]

    def check_version(self, expected: int | None) -> None:
        """`If-Match`: refuse to change a task someone else changed meanwhile."""
        if expected is not None and expected != self.version:
            raise StaleVersion(
                f"task {self.id} is at version {self.version}, not {expected}",
                field="expected_version",
            )

    # --- creating -----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        task_id: str,
        draft: TaskDraft,
        customer_id: str | None,
        actor: Actor,
        now: datetime,
    ) -> Task:
        """A new task from `draft`; errors name fields as `CreateTask` has them (`task.*`)."""
        now = instant(now)
        due = instant(draft.due_at) if draft.due_at else None
        planned = reminders(draft.reminders, due, field="task.reminders")
        _check_recurrence(draft.recurrence, due, field="task.recurrence")
        task = cls(
            id=task_id,
            title=draft.title,
            description=draft.description,
            customer_id=customer_id,
            assignee=draft.assignee or actor.id,
            creator=actor.id,
            due_at=due,
            priority=draft.priority,
            status=TaskStatus.PENDING,
            next_action=draft.next_action,
            reminders=planned,
            recurrence=draft.recurrence,
            series=Series(anchor=due) if draft.recurrence and due else None,
            created_at=now,
            updated_at=now,
            version=1,
            alarms=arm(task_id, 1, planned, due, now),
        )
        return replace(task, history=(HistoryEntry(now, actor, TaskAction.CREATED, 1),))

    # --- changing -----------------------------------------------------------------------------

    def changed(
        self, patch: TaskPatch, clear: Collection[str], *, actor: Actor, now: datetime
    ) -> Task:
        """Set and clear fields (`ChangeTask`); a new deadline or reminders re-arm the alarms."""
        given = {name: value for name, value in patch if value is not None}
        both = [name for name in CHANGEABLE if name in given and name in clear]
        if both:
            raise InvalidInput(
                FieldError(field=f"set.{name}", message="both set and cleared") for name in both
            )
        values = {name: getattr(self, name) for name in CHANGEABLE}
        values["reminders"] = tuple(r.spec for r in self.reminders)
        values |= {name: () if name == "reminders" else None for name in clear}
        values |= given
        if values["due_at"] is not None:
            values["due_at"] = instant(values["due_at"])
        prefix = {name: f"set.{name}" if name in given else name for name in CHANGEABLE}
        planned = reminders(values["reminders"], values["due_at"], field=prefix["reminders"])
        _check_recurrence(values["recurrence"], values["due_at"], field=prefix["recurrence"])

        changes: list[Change] = []
        for name in CHANGEABLE:
            before, after = _shown(self._value(name)), _shown(values[name])
            if before != after:
                changes.append(Change(name, before, after))
        if not changes:
            return self
        changed = {c.field for c in changes}
        update: dict[str, Any] = {
            name: values[name] for name in CHANGEABLE if name in changed and name != "reminders"
        }
        update["reminders"] = planned
        if changed & {"recurrence", "due_at"}:
            # A new rhythm or a deadline moved by hand starts the series anew from there.
            due = values["due_at"]
            update["series"] = Series(anchor=due) if values["recurrence"] and due else None
        rearm = bool(changed & {"due_at", "reminders"})
        return self._record(TaskAction.CHANGED, tuple(changes), actor, now, rearm=rearm, **update)

    def reassigned(self, assignee: str, *, actor: Actor, now: datetime) -> Task:
        if assignee == self.assignee:
            return self
        change = Change("assignee", self.assignee, assignee)
        return self._record(TaskAction.REASSIGNED, (change,), actor, now, assignee=assignee)

    def moved_to(
        self, status: TaskStatus, *, actor: Actor, now: datetime, next_task_id: str
    ) -> tuple[Task, Task | None]:
        """The task in its new status, and the next task of its series if completing made one.

        `next_task_id` is the id the next task gets, if there is one.
        """
        check_transition(self.status, status)
        if status == self.status:
            return self, None
        now = instant(now)
        change = Change("status", self.status.value, status.value)
        update: dict[str, Any] = {"status": status}
        if status == COMPLETED:
            update["completed_at"] = now
        if not is_open(status):
            update["alarms"] = ()
        moved = self._record(TaskAction.STATUS_CHANGED, (change,), actor, now, **update)
        upcoming = moved._next_in_series(next_task_id, actor=actor, now=now)
        if upcoming is not None:
            moved = replace(moved, next_task_id=upcoming.id)
        return moved, upcoming

    def reopened(self, reason: str | None, *, actor: Actor, now: datetime) -> Task:
        """Bring a finished task back: its reminders and alert still ahead are armed anew."""
        check_reopen(self.status)
        changes = [Change("status", self.status.value, REOPENED_AS.value)]
        if reason:
            changes.append(Change("reason", None, reason))
        return self._record(
            TaskAction.REOPENED,
            tuple(changes),
            actor,
            now,
            rearm=True,
            status=REOPENED_AS,
            completed_at=None,
        )

    def commented(self, comment_id: str, text: str, *, actor: Actor, now: datetime) -> Task:
        if len(self.comments) >= MAX_COMMENTS:
            raise Conflict(f"a task takes at most {MAX_COMMENTS} comments", field="text")
        comment = Comment(id=comment_id, author=actor, at=instant(now), text=text)
        # The history names the comment; its text lives in one place, the comment.
        change = Change("comments", None, comment_id)
        return self._record(
            TaskAction.COMMENTED, (change,), actor, now, comments=(*self.comments, comment)
        )

    def moved_to_customer(self, master_id: str, *, actor: Actor, now: datetime) -> Task:
        """The task's customer was merged into `master_id`: the task follows."""
        if master_id == self.customer_id:
            return self
        change = Change("customer_id", self.customer_id, master_id)
        return self._record(
            TaskAction.CUSTOMER_MERGED, (change,), actor, now, customer_id=master_id
        )

    def erased(self, *, actor: Actor, now: datetime) -> Task:
        """The customer was erased: the text people wrote goes, the record of who did what and
        when stays. A recurring task stops recurring (nothing is left to repeat)."""
        if self.erased_at is not None:
            return self
        now = instant(now)
        gone = [name for name in sorted(PERSONAL_FIELDS) if getattr(self, name, None)]
        gone += ["comments"] if self.comments else []
        version = self.version + 1
        entry = HistoryEntry(
            now, actor, TaskAction.ERASED, version, tuple(Change(name) for name in gone)
        )
        return replace(
            self,
            title=None,
            description=None,
            next_action=None,
            recurrence=None,
            series=None,
            comments=tuple(replace(c, text=None) for c in self.comments),
            history=(*(e.without_personal_text() for e in self.history), entry),
            version=version,
            updated_at=now,
            erased_at=now,
        )

    # --- the mechanics ------------------------------------------------------------------------

    def _record(
        self,
        action: TaskAction,
        changes: tuple[Change, ...],
        actor: Actor,
        now: datetime,
        *,
        rearm: bool = False,
        **update: Any,
    ) -> Task:
        now = instant(now)
        version = self.version + 1
        entry = HistoryEntry(now, actor, action, version, changes)
        task = replace(
            self, **update, version=version, updated_at=now, history=(*self.history, entry)
        )
        if rearm and task.is_open:
            task = replace(task, alarms=arm(task.id, version, task.reminders, task.due_at, now))
        return task

    def _next_in_series(self, task_id: str, *, actor: Actor, now: datetime) -> Task | None:
        if (
            self.status != COMPLETED
            or self.recurrence is None
            or self.series is None
            or self.due_at is None
            or self.next_task_id is not None
        ):
            return None
        occurrence, due = series_rules.following(self.recurrence, self.series, after=now)
        shift = due - self.due_at
        specs = tuple(
            r.spec if is_duration(r.spec) else (r.at + shift).isoformat() for r in self.reminders
        )
        planned = reminders(specs, due, field="reminders")
        return Task(
            id=task_id,
            title=self.title,
            description=self.description,
            customer_id=self.customer_id,
            assignee=self.assignee,
            creator=self.creator,
            due_at=due,
            priority=self.priority,
            status=TaskStatus.PENDING,
            next_action=self.next_action,
            reminders=planned,
            recurrence=self.recurrence,
            series=replace(self.series, occurrence=occurrence),
            previous_task_id=self.id,
            created_at=now,
            updated_at=now,
            version=1,
            alarms=arm(task_id, 1, planned, due, now),
            history=(HistoryEntry(now, actor, TaskAction.CREATED, 1),),
        )

    def _value(self, name: str) -> Any:
        if name == "reminders":
            return tuple(r.spec for r in self.reminders)
        return getattr(self, name)


def _check_recurrence(
    recurrence: Recurrence | None, due_at: datetime | None, *, field: str
) -> None:
    if recurrence is not None and due_at is None:
        raise field_error(field, "a recurring task needs a due_at: the series counts from it")


def _shown(value: Any) -> Any:
    """A value as the history keeps it: JSON-compatible, datetimes as they are."""
    if isinstance(value, Recurrence):
        return value.model_dump(mode="json")
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return value.value
    return value
