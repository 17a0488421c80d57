"""Message entry points of the consent service: its inbox queue and its request/reply queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faststream.rabbit import RabbitRouter

from services.consent.decisions import ConsentDecisions
from services.consent.double_opt_in import DoubleOptIn
from services.consent.erasure import ConsentErasure
from services.consent.merges import ConsentMerges
from services.consent.purposes import ConsentPurposes
from services.consent.queries import ConsentQueries
from shared.contracts.consent import (
    ChangePurpose,
    ConfirmDoubleOptIn,
    DefinePurpose,
    GetConsentHistory,
    GetConsentReport,
    GetConsents,
    ListPurposes,
    RecordConsent,
    RequestDoubleOptIn,
)
from shared.contracts.customers import (
    CustomerCreated,
    CustomerErased,
    CustomersMerged,
    CustomerUpdated,
)
from shared.customer_directory import CustomerDirectory
from shared.dispatch import Dispatcher
from shared.rpc import answer
from shared.topology import Topology


@dataclass
class ConsentUseCases:
    decisions: ConsentDecisions
    merges: ConsentMerges
    erasure: ConsentErasure
    double_opt_in: DoubleOptIn
    purposes: ConsentPurposes
    queries: ConsentQueries


def inbox_dispatcher(directory: CustomerDirectory, cases: ConsentUseCases) -> Dispatcher[Any]:
    """Consent commands, and the customer events the consent service follows."""
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("customer.",))

    async def on_customer(event: CustomerCreated | CustomerUpdated) -> bool:
        return await directory.apply(event.customer)

    dispatcher.register(CustomerCreated, on_customer)
    dispatcher.register(CustomerUpdated, on_customer)
    dispatcher.register(CustomersMerged, cases.merges.merge)
    dispatcher.register(CustomerErased, cases.erasure.erase)
    dispatcher.register(RecordConsent, cases.decisions.record)
    return dispatcher


def request_dispatcher(cases: ConsentUseCases) -> Dispatcher[Any]:
    """What callers ask and wait for: queries, and changes they must hear the outcome of."""
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(RecordConsent, cases.decisions.decide)
    dispatcher.register(RequestDoubleOptIn, cases.double_opt_in.request)
    dispatcher.register(ConfirmDoubleOptIn, cases.double_opt_in.confirm)
    dispatcher.register(DefinePurpose, cases.purposes.define)
    dispatcher.register(ChangePurpose, cases.purposes.change)
    dispatcher.register(ListPurposes, cases.purposes.list)
    dispatcher.register(GetConsents, cases.queries.consents)
    dispatcher.register(GetConsentHistory, cases.queries.history)
    dispatcher.register(GetConsentReport, cases.queries.report)
    return dispatcher


def inbox_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.consent.subscription(), title="consent inbox")
    async def on_message(body: Any) -> None:
        await dispatcher.dispatch(body)

    return router


def request_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("consent"), title="consent requests")
    async def on_request(body: Any) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router
