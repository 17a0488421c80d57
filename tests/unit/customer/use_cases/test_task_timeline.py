"""Task events in the customer's timeline, on in-memory stores."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.contracts.customer_history import ActivityKind
from shared.contracts.envelope import SYSTEM_ACTOR
from shared.contracts.tasks import TaskCreated, TaskPriority, TaskReminderDue
from tests.support.orders import upsert
from tests.unit.customer.fakes import fake_service

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_a_reminder_and_a_creation_join_the_timeline_once_each() -> None:
    service = fake_service()
    ref = await service.cases.orders.upsert_from_order(upsert(order_id="o-1"))
    customer_id = ref["customer_id"]
    created = TaskCreated(
        task_id="t1",
        customer_id=customer_id,
        title="Check the address",
        assignee="anna",
        creator="anna",
        priority=TaskPriority.HIGH,
        version=1,
        actor=SYSTEM_ACTOR,
    )
    reminder = TaskReminderDue(
        task_id="t1",
        reminder_id="r1",
        customer_id=customer_id,
        assignee="anna",
        title="Check the address",
        remind_at=AT,
        actor=SYSTEM_ACTOR,
    )
    for event in (created, reminder, created):
        await service.cases.tasks.record(event)
    kinds = [a.kind for a in service.history.of(customer_id)]
    assert kinds.count(ActivityKind.TASK_CREATED) == 1
    assert kinds.count(ActivityKind.TASK_REMINDER_DUE) == 1


async def test_a_task_about_nobody_or_an_unknown_customer_is_in_no_timeline() -> None:
    service = fake_service()
    for customer_id in (None, "ghost"):
        event = TaskCreated(
            task_id="t2",
            customer_id=customer_id,
            title="Order paper",
            assignee="anna",
            creator="anna",
            priority=TaskPriority.LOW,
            version=1,
            actor=SYSTEM_ACTOR,
        )
        assert await service.cases.tasks.record(event) == {}
    assert service.data.activities == {}
