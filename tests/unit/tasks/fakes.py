"""In-memory stand-ins for the tasks service's ports, and the service wired with them.

They keep the promises the ports make (version checks, leases, one notification per id) in the
simplest way, so the use cases can be tested without a database; tests/integration/tasks
proves the same against MongoDB and RabbitMQ.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from services.tasks.domain.notifications import Notification
from services.tasks.domain.reminders import Alarm
from services.tasks.domain.task import Task
from services.tasks.use_cases.alarms import AlarmRinging
from services.tasks.use_cases.changes import TaskChanges
from services.tasks.use_cases.customers import CustomerLives
from services.tasks.use_cases.notifications import TaskNotifications
from services.tasks.use_cases.ports import ClaimedAlarm, OpenCount, Session, VersionMoved
from services.tasks.use_cases.queries import TaskQueries
from services.tasks.use_cases.reports import TaskReports
from services.tasks.use_cases.saving import TaskWriter
from shared.contracts.customers import CustomerRef
from shared.contracts.envelope import Message
from shared.contracts.tasks import FindTasks, TaskStatus
from shared.mongo import Document
from shared.unit_of_work import Outcome

R = TypeVar("R")


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeTasks:
    stored: dict[str, Task] = field(default_factory=dict)

    async def get(self, task_id: str, *, session: Session = None) -> Task | None:
        return self.stored.get(task_id)

    async def add(self, task: Task, *, session: Session) -> None:
        assert task.id not in self.stored
        self.stored[task.id] = task

    async def replace(self, task: Task, *, previous_version: int, session: Session) -> None:
        if self.stored[task.id].version != previous_version:
            raise VersionMoved(task.id)
        self.stored[task.id] = task

    async def of_customers(self, customer_ids: Sequence[str], *, session: Session) -> list[Task]:
        return [t for t in self.stored.values() if t.customer_id in customer_ids]

    async def by_ids(self, task_ids: Sequence[str]) -> dict[str, Task]:
        return {i: self.stored[i] for i in task_ids if i in self.stored}

    async def find(self, query: FindTasks, *, now: datetime) -> tuple[list[Task], str | None]:
        # Enough for the customer's open tasks; filters and paging are proven against MongoDB.
        found = [
            t
            for t in self.stored.values()
            if (query.customer_id is None or t.customer_id == query.customer_id)
            and (not query.status or t.status in query.status)
        ]
        found.sort(key=lambda t: (t.due_at or datetime.max.replace(tzinfo=UTC), t.id))
        return found[: query.limit], None

    async def open_counts(self) -> list[OpenCount]:
        counts: dict[tuple[str, Any], int] = {}
        for task in self.stored.values():
            if task.is_open:
                key = (task.assignee, task.priority)
                counts[key] = counts.get(key, 0) + 1
        return [OpenCount(a, p, n) for (a, p), n in counts.items()]

    async def overdue_count(self, now: datetime) -> int:
        return sum(t.overdue(now) for t in self.stored.values())

    async def completion_spans(self, since: datetime) -> list[tuple[datetime, datetime]]:
        return [
            (t.created_at, t.completed_at)
            for t in self.stored.values()
            if t.status == TaskStatus.COMPLETED and t.completed_at and t.completed_at >= since
        ]


@dataclass
class StoredAlarm:
    alarm: Alarm
    task_id: str
    status: str = "scheduled"
    lease_owner: str | None = None
    lease_until: datetime = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class FakeAlarms:
    stored: dict[str, StoredAlarm] = field(default_factory=dict)

    async def arm(
        self, task_id: str, added: Sequence[Alarm], disarmed: Sequence[str], *, session: Session
    ) -> None:
        for alarm_id in disarmed:
            if self.stored[alarm_id].status == "scheduled":
                self.stored[alarm_id].status = "void"
        for alarm in added:
            assert alarm.id not in self.stored, "alarm ids never come back"
            self.stored[alarm.id] = StoredAlarm(alarm, task_id)

    async def claim(self, *, owner: str, now: datetime, lease: timedelta) -> ClaimedAlarm | None:
        due = sorted(
            (
                s
                for s in self.stored.values()
                if s.status == "scheduled" and s.alarm.at <= now and s.lease_until <= now
            ),
            key=lambda s: s.alarm.at,
        )
        if not due:
            return None
        due[0].lease_owner, due[0].lease_until = owner, now + lease
        return ClaimedAlarm(due[0].alarm, due[0].task_id)

    async def settle(self, alarm_id: str, *, rang: bool, now: datetime) -> None:
        stored = self.stored[alarm_id]
        if stored.status == "scheduled":
            stored.status = "rang" if rang else "void"

    def with_status(self, status: str) -> list[str]:
        return [i for i, s in self.stored.items() if s.status == status]


@dataclass
class FakeNotifications:
    stored: dict[str, Notification] = field(default_factory=dict)

    async def add(self, notification: Notification, *, session: Session) -> None:
        assert notification.id not in self.stored, "one notification per alarm"
        self.stored[notification.id] = notification

    async def page(
        self, recipient: str, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Notification], str | None]:
        mine = [
            n
            for n in self.stored.values()
            if n.recipient == recipient and not (unread_only and n.read_at)
        ]
        mine.sort(key=lambda n: (n.at, n.id), reverse=True)
        return mine[:limit], None

    async def unread(self, recipient: str) -> int:
        return sum(n.recipient == recipient and n.read_at is None for n in self.stored.values())

    async def mark_read(
        self, recipient: str, ids: Sequence[str], *, now: datetime, session: Session
    ) -> int:
        marked = 0
        for notification_id in ids:
            n = self.stored.get(notification_id)
            if n is not None and n.recipient == recipient and n.read_at is None:
                self.stored[notification_id] = replace(n, read_at=now)
                marked += 1
        return marked


@dataclass
class FakeCustomers:
    known: dict[str, CustomerRef] = field(default_factory=dict)
    merges: dict[str, str] = field(default_factory=dict)

    async def get(self, customer_id: str) -> CustomerRef | None:
        return self.known.get(customer_id)

    async def apply(self, ref: CustomerRef) -> bool:
        known = self.known.get(ref.customer_id)
        if known is not None and known.version >= ref.version:
            return False
        self.known[ref.customer_id] = ref
        return True

    async def apply_many(self, refs: Sequence[CustomerRef]) -> None:
        for ref in refs:
            await self.apply(ref)

    async def master_of(self, customer_id: str) -> str | None:
        master = None
        while customer_id in self.merges:
            master = customer_id = self.merges[customer_id]
        return master

    async def remember_merge(
        self, absorbed_ids: Sequence[str], master_id: str, *, session: Session
    ) -> None:
        self.merges |= dict.fromkeys(absorbed_ids, master_id)


@dataclass
class FakeSentEvents:
    forgotten: list[str] = field(default_factory=list)

    async def forget_sent(self, customer_id: str, *, session: Session) -> int:
        self.forgotten.append(customer_id)
        return 0


@dataclass
class Published:
    """What the fakes published after their "commits", in order."""

    events: list[Message] = field(default_factory=list)

    def of(self, kind: type[Message]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@dataclass
class FakeChanges:
    """The unit of work: an inbox of processed message ids, events published after the change."""

    published: Published
    inbox: dict[str, Document] = field(default_factory=dict)

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]],
    ) -> R:
        if message.message_id in self.inbox:
            return await repeated(self.inbox[message.message_id], None)
        outcome = await change(None)
        self.inbox[message.message_id] = {"result": outcome.remembered}
        self.published.events += outcome.events
        return outcome.result


@dataclass
class FakeOnceOnly:
    published: Published
    done: dict[str, int] = field(default_factory=dict)

    async def run(self, key: str, change: Callable[[Session], Awaitable[Sequence[Message]]]) -> int:
        if key not in self.done:
            events = await change(None)
            self.done[key] = len(events)
            self.published.events += events
        return self.done[key]


@dataclass
class Service:
    """The tasks service's use cases over the fakes."""

    clock: Clock = field(default_factory=Clock)
    tasks: FakeTasks = field(default_factory=FakeTasks)
    alarms: FakeAlarms = field(default_factory=FakeAlarms)
    notifications: FakeNotifications = field(default_factory=FakeNotifications)
    customers: FakeCustomers = field(default_factory=FakeCustomers)
    sent: FakeSentEvents = field(default_factory=FakeSentEvents)
    published: Published = field(default_factory=Published)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    unit: FakeChanges = field(init=False)
    once: FakeOnceOnly = field(init=False)

    def __post_init__(self) -> None:
        self.unit = FakeChanges(self.published)
        self.once = FakeOnceOnly(self.published)

    def new_id(self) -> str:
        return f"id{next(self.ids)}"

    @property
    def changes(self) -> TaskChanges:
        writer = TaskWriter(self.tasks, self.alarms)
        return TaskChanges(self.tasks, writer, self.customers, self.unit, self.clock, self.new_id)

    @property
    def queries(self) -> TaskQueries:
        return TaskQueries(self.tasks, self.clock)

    @property
    def lives(self) -> CustomerLives:
        writer = TaskWriter(self.tasks, self.alarms)
        return CustomerLives(self.tasks, writer, self.customers, self.sent, self.unit, self.clock)

    @property
    def inbox_notifications(self) -> TaskNotifications:
        return TaskNotifications(self.notifications, self.tasks, self.unit, self.clock)

    @property
    def reports(self) -> TaskReports:
        return TaskReports(self.tasks, self.clock)

    def ringing(self, owner: str, lease_s: float = 30) -> AlarmRinging:
        return AlarmRinging(
            self.alarms,
            self.tasks,
            self.once,
            self.clock,
            owner=owner,
            lease=timedelta(seconds=lease_s),
        )
