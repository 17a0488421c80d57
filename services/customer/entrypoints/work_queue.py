"""The work-queue consumer: commands from ingest, the gateway and other services, and the
events of other services the customer service follows (consent changes join the timeline).

A message is processed and acknowledged; a failure is retried later or parked by the
redelivery middleware (`shared.redelivery`), and a body that fits no contract is parked at once.
Events of the consent service it does not follow are skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitRouter

from services.customer.entrypoints.requests import answered_commands
from shared.contracts import customers, privacy
from shared.contracts.consent import ConsentChanged
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.contracts.tasks import (
    TaskCompleted,
    TaskCreated,
    TaskReassigned,
    TaskReminderDue,
    TaskStatusChanged,
)
from shared.dispatch import Dispatcher, Received

if TYPE_CHECKING:
    from services.customer.use_cases import CustomerUseCases
    from shared.topology import Topology


def work_queue_dispatcher(cases: CustomerUseCases) -> Dispatcher[Any]:
    # Events of other services about customers arrive here too; unhandled ones are skipped.
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("consent.", "task."))
    dispatcher.register(UpsertCustomerFromOrder, cases.orders.upsert_from_order)
    dispatcher.register(ConsentChanged, cases.consent.record_change)
    # Task events that join the timeline of the customer they name.
    dispatcher.register(TaskCreated, cases.tasks.record)
    dispatcher.register(TaskReassigned, cases.tasks.record)
    dispatcher.register(TaskStatusChanged, cases.tasks.record)
    dispatcher.register(TaskCompleted, cases.tasks.record)
    dispatcher.register(TaskReminderDue, cases.tasks.record)
    dispatcher.register(customers.ImportCustomer, cases.imports.import_customer)
    # Privacy requests of shops, from ingest.
    dispatcher.register(privacy.RecordDataRequest, cases.right_of_access.record_request)
    dispatcher.register(privacy.EraseChannelCustomer, cases.erasure.erase_channel_customer)
    dispatcher.register(privacy.EraseShop, cases.erasure.erase_shop)
    dispatcher.register(privacy.EraseShopFromCustomer, cases.erasure.erase_from_customer)
    for command, use_case, _ in answered_commands(cases):
        dispatcher.register(command, use_case)
    return dispatcher


def work_queue_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.customer.subscription(), title="customer commands")
    @dispatcher.typed
    async def on_command(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
