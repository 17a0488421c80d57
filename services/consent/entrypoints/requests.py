"""The consent request/reply queue: queries, and changes whose caller waits for the outcome.

Every request is answered: with a result, or with a problem (shared.rpc.answer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitRouter

from shared.contracts.consent import (
    ChangePurpose,
    ConfirmDoubleOptIn,
    DefinePurpose,
    GetConsentHistory,
    GetConsentOverview,
    GetConsentReport,
    GetConsents,
    ListPurposes,
    RecordConsent,
    RequestDoubleOptIn,
)
from shared.dispatch import Dispatcher, Received
from shared.rpc import answer

if TYPE_CHECKING:
    from services.consent.use_cases import UseCases
    from shared.topology import Topology


def request_dispatcher(cases: UseCases) -> Dispatcher[Any]:
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(RecordConsent, cases.decisions.record_for_caller)
    dispatcher.register(RequestDoubleOptIn, cases.double_opt_in.request)
    dispatcher.register(ConfirmDoubleOptIn, cases.double_opt_in.confirm)
    dispatcher.register(DefinePurpose, cases.purposes.define)
    dispatcher.register(ChangePurpose, cases.purposes.change)
    dispatcher.register(ListPurposes, cases.purposes.list)
    dispatcher.register(GetConsents, cases.queries.consents)
    dispatcher.register(GetConsentHistory, cases.queries.history)
    dispatcher.register(GetConsentOverview, cases.queries.overview)
    dispatcher.register(GetConsentReport, cases.queries.report)
    return dispatcher


def request_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("consent"), title="consent requests")
    @dispatcher.typed
    async def on_request(body: Received) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router
