"""The consent work queue: consent commands, and the customer events the service follows.

Nobody waits for these; a refusal decides what happens to the message: tried again later (the
customer may still be on the way) or parked for a person at once (it can never succeed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitRouter

from services.consent.domain.errors import ErasedCustomer, UnknownCustomer
from shared.contracts.consent import RecordConsent
from shared.contracts.customers import (
    CustomerCreated,
    CustomerErased,
    CustomersMerged,
    CustomerUpdated,
)
from shared.dispatch import Dispatcher, InvalidMessage, PermanentFailure, Received
from shared.errors import InvalidInput
from shared.redelivery import TransientFailure

if TYPE_CHECKING:
    from services.consent.use_cases import UseCases
    from shared.topology import Topology


def inbox_dispatcher(cases: UseCases) -> Dispatcher[Any]:
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("customer.",))

    async def on_customer(event: CustomerCreated | CustomerUpdated) -> bool:
        return await cases.customers.learn(event.customer)

    async def on_decision(command: RecordConsent) -> None:
        try:
            await cases.decisions.record_from_message(command)
        except UnknownCustomer as error:
            # Usually its CustomerCreated is still on the way: try again later, then park.
            raise TransientFailure(str(error)) from error
        except ErasedCustomer as error:
            raise PermanentFailure(str(error)) from error
        except InvalidInput as error:
            raise InvalidMessage("consent decision refused", error.errors) from error

    dispatcher.register(CustomerCreated, on_customer)
    dispatcher.register(CustomerUpdated, on_customer)
    dispatcher.register(CustomersMerged, cases.merges.apply)
    dispatcher.register(CustomerErased, cases.erasure.erase)
    dispatcher.register(RecordConsent, on_decision)
    return dispatcher


def inbox_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.consent.subscription(), title="consent inbox")
    @dispatcher.typed
    async def on_message(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
