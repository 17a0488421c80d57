"""The work queue: customer events, and the tasks service's own alarm events.

Customer events it does not act on (tags changed, a password reset) and its own events other
than the alarms (created, changed, ...) arrive by the same bindings and are skipped.
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from services.tasks.use_cases.customers import CustomerLives
from services.tasks.use_cases.notifications import TaskNotifications
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


def inbox_dispatcher(lives: CustomerLives, notifications: TaskNotifications) -> Dispatcher[Any]:
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("customer.", "task."))
    dispatcher.register(CustomerCreated, lives.learn)
    dispatcher.register(CustomerUpdated, lives.learn)
    dispatcher.register(CustomerDisabled, lives.learn)
    dispatcher.register(CustomerEnabled, lives.learn)
    dispatcher.register(CustomersMerged, lives.merged)
    dispatcher.register(CustomerErased, lives.erased)
    dispatcher.register(TaskReminderDue, notifications.on_reminder_due)
    dispatcher.register(TaskOverdue, notifications.on_overdue)
    return dispatcher


def inbox_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.tasks.subscription(), title="tasks inbox")
    @dispatcher.typed
    async def on_message(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
