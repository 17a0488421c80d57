"""HTTP entry points of ingest."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, status
from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from services.ingest.commands import channel_actor, upsert_command
from shared.broker import publish
from shared.contracts.orders import CanonicalOrder
from shared.contracts.replies import Problem, ProblemError
from shared.redelivery import describe
from shared.topology import Topology

log = logging.getLogger(__name__)


class Accepted(BaseModel):
    message_id: str
    status: str = "accepted"


def orders_router(broker: RabbitBroker, topology: Topology) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["orders"])

    @router.post("/orders", status_code=status.HTTP_202_ACCEPTED)
    async def accept_order(
        order: CanonicalOrder,
        correlation_id: Annotated[
            str | None, Header(alias="X-Correlation-ID", max_length=100)
        ] = None,
    ) -> Accepted:
        """Accept an order in the suite's canonical format; 202 once RabbitMQ has it."""
        command = upsert_command(order, actor=channel_actor(order), correlation_id=correlation_id)
        try:
            await publish(broker, topology, command)
        except Exception as error:
            log.warning(
                "order %s:%s not accepted, broker failed: %s",
                order.channel,
                order.order_id,
                describe(error),
            )
            raise ProblemError(
                Problem(
                    type="urn:problem:broker-unavailable",
                    title="Order not accepted: message broker unavailable",
                    status=503,
                    detail="The order was not stored; send it again later.",
                ),
                headers={"Retry-After": "5"},
            ) from error
        return Accepted(message_id=command.message_id)

    return router
