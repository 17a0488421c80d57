"""Message entry points of the consent service."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from shared.contracts.customers import CustomerCreated, CustomerUpdated
from shared.customer_directory import CustomerDirectory
from shared.dispatch import Dispatcher
from shared.topology import Topology


def event_router(topology: Topology, directory: CustomerDirectory) -> RabbitRouter:
    """Customer events keep the consent service's directory of customers current.

    It needs them to address double opt-in mails and to pseudonymise evidence on erasure.
    """
    dispatcher: Dispatcher[bool] = Dispatcher(ignore=("customer.",))

    async def on_customer(event: CustomerCreated | CustomerUpdated) -> bool:
        return await directory.apply(event.customer)

    dispatcher.register(CustomerCreated, on_customer)
    dispatcher.register(CustomerUpdated, on_customer)
    router = RabbitRouter()

    @router.subscriber(topology.consent.subscription(), title="consent inbox")
    async def on_message(body: Any) -> None:
        await dispatcher.dispatch(body)

    return router
