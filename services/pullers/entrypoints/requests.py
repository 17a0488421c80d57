"""What the pullers answer over request/reply (`<namespace>.pullers.rpc`)."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from services.pullers.use_cases.parked import ReplayParked
from services.pullers.use_cases.ports import ChannelRefusedAccess, ChannelUnavailable
from services.pullers.use_cases.reporting import IntegrationReports
from shared.contracts.integrations import (
    CheckIntegration,
    ConnectionCheck,
    GetIntegrations,
    IntegrationList,
    ReplayOutcome,
    ReplayParkedOrders,
)
from shared.contracts.replies import Problem, ProblemError
from shared.dispatch import Dispatcher, Received
from shared.redelivery import describe
from shared.rpc import answer
from shared.topology import Topology


def request_dispatcher(reports: IntegrationReports, replay: ReplayParked) -> Dispatcher[Any]:
    dispatcher: Dispatcher[Any] = Dispatcher()

    async def integrations(_: GetIntegrations) -> IntegrationList:
        return await reports.states()

    async def check(query: CheckIntegration) -> ConnectionCheck:
        try:
            return await reports.check(query.integration, days=query.days)
        except (ChannelUnavailable, ChannelRefusedAccess) as error:
            raise ProblemError(
                Problem(
                    type="urn:problem:channel-failed",
                    title="The channel did not answer as expected",
                    status=502,
                    detail=describe(error),
                )
            ) from error

    async def replay_parked(command: ReplayParkedOrders) -> ReplayOutcome:
        integration = reports.integration(command.integration)
        return await replay.replay(integration, command.order_ids)

    dispatcher.register(GetIntegrations, integrations)
    dispatcher.register(CheckIntegration, check)
    dispatcher.register(ReplayParkedOrders, replay_parked)
    return dispatcher


def request_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("pullers"), title="pullers requests")
    @dispatcher.typed
    async def on_request(body: Received) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router
