"""The suite's own order format: `POST /v1/orders` takes a canonical order as it is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, status

from services.ingest.publishing import Accepted, Intake
from shared.contracts.orders import CanonicalOrder


def orders_router(intake: Intake) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["orders"])

    @router.post("/orders", status_code=status.HTTP_202_ACCEPTED)
    async def accept_order(
        order: CanonicalOrder,
        correlation_id: Annotated[
            str | None, Header(alias="X-Correlation-ID", max_length=100)
        ] = None,
    ) -> Accepted:
        """Accept an order in the suite's canonical format; 202 once RabbitMQ has it."""
        return await intake.accept(order, correlation_id=correlation_id)

    return router
