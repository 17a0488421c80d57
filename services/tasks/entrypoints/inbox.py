"""The work queue: customer events, and the tasks service's own alarm events.

Customer events it does not act on (tags changed, a password reset) and its own events other
than the alarms (created, changed, ...) arrive by the same bindings and are skipped.
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter
from faststream.rabbit.schemas import Channel

from services.tasks.use_cases.customers import CustomerLives, CustomerNews
from services.tasks.use_cases.notifications import TaskNotifications
from shared.batching import Batcher, in_batches
from shared.contracts.customers import (
    CustomerCreated,
    CustomerDisabled,
    CustomerEnabled,
    CustomerErased,
    CustomersMerged,
    CustomerUpdated,
)
from shared.contracts.tasks import TaskOverdue, TaskReminderDue
from shared.dispatch import Dispatcher, Received
from shared.topology import Topology


def inbox_dispatcher(
    lives: CustomerLives,
    notifications: TaskNotifications,
    *,
    learnt: Batcher[CustomerNews, None] | None = None,
) -> Dispatcher[Any]:
    """`learnt`: the batcher customer news goes through; without one each is kept alone."""
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("customer.", "task."))

    async def alone(event: CustomerNews) -> None:
        await lives.learn(event)

    learn = in_batches(learnt, alone) if learnt else alone
    dispatcher.register(CustomerCreated, learn)
    dispatcher.register(CustomerUpdated, learn)
    dispatcher.register(CustomerDisabled, learn)
    dispatcher.register(CustomerEnabled, learn)
    dispatcher.register(CustomersMerged, lives.merged)
    dispatcher.register(CustomerErased, lives.erased)
    dispatcher.register(TaskReminderDue, notifications.on_reminder_due)
    dispatcher.register(TaskOverdue, notifications.on_overdue)
    return dispatcher


def directory_batcher(
    lives: CustomerLives, *, size: int, wait_s: float, concurrency: int
) -> Batcher[CustomerNews, None]:
    """Customer news, about one per order, kept in one write per batch: version-guarded, so a
    batch needs neither an inbox nor a transaction, and two batches side by side cannot undo
    each other."""
    return Batcher(
        lives.learn_many,
        size=size,
        wait_s=wait_s,
        concurrency=concurrency,
        name="directory batch",
    )


def inbox_router(
    topology: Topology, dispatcher: Dispatcher[Any], *, prefetch: int | None = None
) -> RabbitRouter:
    """`prefetch`: messages handled at once, if not the broker's default (a batch's worth)."""
    router = RabbitRouter()

    @router.subscriber(
        topology.tasks.subscription(),
        title="tasks inbox",
        channel=Channel(prefetch_count=prefetch) if prefetch else None,
    )
    @dispatcher.typed
    async def on_message(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
