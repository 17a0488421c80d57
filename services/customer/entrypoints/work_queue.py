"""The work-queue consumer: commands from ingest, the gateway and other services, and the
events of other services the customer service follows (consent changes join the timeline).

A message is processed and acknowledged; a failure is retried later or parked by the
redelivery middleware (`shared.redelivery`), and a body that fits no contract is parked at once.
Events of the consent service it does not follow are skipped.

Orders and consent changes, by far the most frequent messages (about one of each per order),
are processed in micro-batches (`shared.batching`): those that arrive together share one
transaction, and one whose batch failed is processed on its own, so its failure is handled as
above. The queue's prefetch lets the batches fill up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitRouter
from faststream.rabbit.schemas import Channel

from services.customer.entrypoints.requests import answered_commands
from shared.batching import Lanes, in_batches
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
    from services.customer.use_cases.ports import Ref
    from shared.topology import Topology


def order_batcher(
    cases: CustomerUseCases, *, size: int, wait_s: float, concurrency: int
) -> Lanes[UpsertCustomerFromOrder, Ref]:
    """A buyer's orders in one lane: two batches claiming one buyer's identities would conflict."""
    return Lanes(
        cases.order_batches.upsert_from_orders,
        key=buyer_of,
        lanes=concurrency,
        size=size,
        wait_s=wait_s,
        name="order batch",
    )


def buyer_of(command: UpsertCustomerFromOrder) -> str:
    """Who an order is probably from, before identity resolution says: the lane it takes.
    A guess is enough; two lanes changing one customer only cost a conflict, run again."""
    order = command.order
    buyer = order.buyer
    if buyer.email:
        return buyer.email.strip().lower()
    if buyer.channel_customer_id:
        return f"{order.channel}:{order.shop}:{buyer.channel_customer_id}"
    return order.key


def consent_change_batcher(
    cases: CustomerUseCases, *, size: int, wait_s: float, concurrency: int
) -> Lanes[ConsentChanged, Ref]:
    """A customer's consent changes in one lane: their timeline keeps the order they came in."""
    return Lanes(
        cases.consent.record_changes,
        key=lambda event: event.customer_id,
        lanes=concurrency,
        size=size,
        wait_s=wait_s,
        name="consent change batch",
    )


def work_queue_dispatcher(
    cases: CustomerUseCases,
    *,
    orders: Lanes[UpsertCustomerFromOrder, Ref] | None = None,
    consent_changes: Lanes[ConsentChanged, Ref] | None = None,
) -> Dispatcher[Any]:
    """`orders`, `consent_changes`: the batchers they go through; without one each message is
    processed alone."""
    # Events of other services about customers arrive here too; unhandled ones are skipped.
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("consent.", "task."))
    upsert = cases.orders.upsert_from_order
    dispatcher.register(UpsertCustomerFromOrder, in_batches(orders, upsert) if orders else upsert)
    record = cases.consent.record_change
    dispatcher.register(
        ConsentChanged, in_batches(consent_changes, record) if consent_changes else record
    )
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


def work_queue_router(
    topology: Topology, dispatcher: Dispatcher[Any], *, prefetch: int | None = None
) -> RabbitRouter:
    """`prefetch`: messages handled at once, if not the broker's default (a batch's worth)."""
    router = RabbitRouter()

    @router.subscriber(
        topology.customer.subscription(),
        title="customer commands",
        channel=Channel(prefetch_count=prefetch) if prefetch else None,
    )
    @dispatcher.typed
    async def on_command(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
