"""Message entry points of the tasks service."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from shared.contracts.customers import CustomerCreated, CustomerUpdated
from shared.customer_directory import CustomerDirectory
from shared.dispatch import Dispatcher
from shared.topology import Topology


def event_router(topology: Topology, directory: CustomerDirectory) -> RabbitRouter:
    """Customer events keep the tasks service's directory of customers current.

    A task refers to a customer; the directory lets it name them and check the reference.
    """
    dispatcher: Dispatcher[bool] = Dispatcher(ignore=("customer.",))

    async def on_customer(event: CustomerCreated | CustomerUpdated) -> bool:
        return await directory.apply(event.customer)

    dispatcher.register(CustomerCreated, on_customer)
    dispatcher.register(CustomerUpdated, on_customer)
    router = RabbitRouter()

    @router.subscriber(topology.tasks.subscription(), title="tasks inbox")
    async def on_message(body: Any) -> None:
        await dispatcher.dispatch(body)

    return router
