"""The one way anything enters the suite from ingest: a command, published and confirmed.

Every entry point (the canonical API, channel webhooks, pulled channel orders, bulk imports,
privacy webhooks) goes through `Intake.publish`, so "2xx only after RabbitMQ confirmed" holds
for all of them.
"""

from __future__ import annotations

import logging

from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from services.ingest.commands import channel_actor, upsert_command
from shared.broker import publish
from shared.contracts.envelope import Command
from shared.contracts.orders import CanonicalOrder
from shared.contracts.replies import Problem, ProblemError
from shared.redelivery import describe
from shared.topology import Topology

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5


class Accepted(BaseModel):
    message_id: str
    status: str = "accepted"


class BrokerUnavailable(ProblemError):
    """The order was not stored: the channel (or the caller) must send it again."""

    def __init__(self) -> None:
        super().__init__(
            Problem(
                type="urn:problem:broker-unavailable",
                title="Order not accepted: message broker unavailable",
                status=503,
                detail="The order was not stored; send it again later.",
            ),
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )


class Intake:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def accept(self, order: CanonicalOrder, *, correlation_id: str | None) -> Accepted:
        """Publish the order's upsert command; returns once RabbitMQ confirmed it."""
        command = upsert_command(order, actor=channel_actor(order), correlation_id=correlation_id)
        return await self.publish(command, what=f"order {order.channel}:{order.order_id}")

    async def publish(self, command: Command, *, what: str) -> Accepted:
        """Publish `command` (`what` names it in the log); returns once RabbitMQ confirmed it."""
        try:
            await publish(self._broker, self._topology, command)
        except Exception as error:
            log.warning("%s not accepted, broker failed: %s", what, describe(error))
            raise BrokerUnavailable() from error
        return Accepted(message_id=command.message_id)
