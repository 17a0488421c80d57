"""The one way an order enters the suite: its upsert command, published and confirmed.

Every entry point (the canonical API, channel webhooks, pulled channel orders, bulk imports)
goes through `OrderIntake.accept`, so "2xx only after RabbitMQ confirmed" holds for all of them.
"""

from __future__ import annotations

import logging

from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from services.ingest.commands import channel_actor, upsert_command
from shared.broker import publish
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


class OrderIntake:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def accept(self, order: CanonicalOrder, *, correlation_id: str | None) -> Accepted:
        """Publish the order's upsert command; returns once RabbitMQ confirmed it."""
        command = upsert_command(order, actor=channel_actor(order), correlation_id=correlation_id)
        try:
            await publish(self._broker, self._topology, command)
        except Exception as error:
            log.warning(
                "order %s:%s not accepted, broker failed: %s",
                order.channel,
                order.order_id,
                describe(error),
            )
            raise BrokerUnavailable() from error
        return Accepted(message_id=command.message_id)
