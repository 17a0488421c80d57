"""What the use cases need from the world, as protocols: MongoDB adapters implement them in the
service, in-memory fakes in the unit tests.

`Session` is the transaction a change is written in; a use case only passes it on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from services.tasks.domain.notifications import Notification
from services.tasks.domain.reminders import Alarm
from services.tasks.domain.task import Task
from shared.contracts.customers import CustomerRef
from shared.contracts.envelope import Message
from shared.contracts.tasks import FindTasks, TaskPriority
from shared.mongo import Document
from shared.unit_of_work import Outcome

R = TypeVar("R")
Session = Any
Clock = Callable[[], datetime]


class VersionMoved(Exception):
    """The task changed between reading and writing it: run the change again on the new one."""


@dataclass(frozen=True)
class ClaimedAlarm:
    """An alarm due now that this instance holds the lease of."""

    alarm: Alarm
    task_id: str


@dataclass(frozen=True)
class OpenCount:
    assignee: str
    priority: TaskPriority
    count: int


class Tasks(Protocol):
    async def get(self, task_id: str, *, session: Session = None) -> Task | None: ...

    async def add(self, task: Task, *, session: Session) -> None: ...

    async def replace(self, task: Task, *, previous_version: int, session: Session) -> None:
        """Store the task's new version; VersionMoved if the stored one is no longer
        `previous_version`."""

    async def of_customers(
        self, customer_ids: Sequence[str], *, session: Session
    ) -> list[Task]: ...

    async def by_ids(self, task_ids: Sequence[str]) -> dict[str, Task]: ...

    async def find(self, query: FindTasks, *, now: datetime) -> tuple[list[Task], str | None]:
        """A page of tasks and the cursor of the next page (None: this was the last)."""

    async def open_counts(self) -> list[OpenCount]: ...

    async def overdue_count(self, now: datetime) -> int: ...

    async def completion_spans(self, since: datetime) -> list[tuple[datetime, datetime]]:
        """(created_at, completed_at) of the tasks completed since `since`."""


class Alarms(Protocol):
    async def arm(
        self, task_id: str, added: Sequence[Alarm], disarmed: Sequence[str], *, session: Session
    ) -> None:
        """Schedule `added`; alarms of `disarmed` that have not rung will not."""

    async def claim(self, *, owner: str, now: datetime, lease: timedelta) -> ClaimedAlarm | None:
        """Take one due alarm that nobody holds (or whose holder's lease ran out)."""

    async def settle(self, alarm_id: str, *, rang: bool, now: datetime) -> None:
        """Mark an alarm rung (or void: its task no longer wanted it); it is claimed no more."""


class Notifications(Protocol):
    async def add(self, notification: Notification, *, session: Session) -> None: ...

    async def page(
        self, recipient: str, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Notification], str | None]: ...

    async def unread(self, recipient: str) -> int: ...

    async def mark_read(
        self, recipient: str, ids: Sequence[str], *, now: datetime, session: Session
    ) -> int: ...


class Customers(Protocol):
    """The customers tasks refer to, as the customer events made them known."""

    async def get(self, customer_id: str) -> CustomerRef | None: ...

    async def apply(self, ref: CustomerRef) -> bool: ...

    async def apply_many(self, refs: Sequence[CustomerRef]) -> None: ...

    async def master_of(self, customer_id: str) -> str | None:
        """The customer that absorbed this one (followed to the end), if it was merged."""

    async def remember_merge(
        self, absorbed_ids: Sequence[str], master_id: str, *, session: Session
    ) -> None: ...


class SentEvents(Protocol):
    async def forget_sent(self, customer_id: str, *, session: Session) -> int:
        """Erasure: drop events about this customer that were already published."""


class Changes(Protocol):
    """A message's change, exactly once, with the events it causes (shared.unit_of_work)."""

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]],
    ) -> R: ...


class OnceOnly(Protocol):
    """A change no message asked for (an alarm ringing), done at most once per key."""

    async def run(self, key: str, change: Callable[[Session], Awaitable[Sequence[Message]]]) -> int:
        """Run `change` in a transaction unless a change under `key` committed before; its
        events are published after the commit. Returns how many events the change under `key`
        committed, now or before."""
